"""The role home pages: each combines what the apps below show (cases, referrals, meetings)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import audit
from cases.selectors import case_next_steps
from cases.views import case_rows
from followthrough.selectors import my_tasks
from meetings.selectors import upcoming_meetings_for
from meetings.views import upcoming_context
from referrals.selectors import overdue_referrals
from referrals.views import referral_rows
from tumorboard.health import health_report
from tumorboard.models import TaskProbe, User
from tumorboard.paging import CappedPaginator
from tumorboard.roles import HOME_URL_NAME, SPECIALIST_ROLES, Role
from tumorboard.views import role_required

from . import dashboards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = cast(User, request.user).role
    url_name = HOME_URL_NAME.get(Role(role)) if role in Role.values else None
    if url_name is None:
        return render(request, "portal/no_role.html", status=403)
    return redirect(url_name)


def _home(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    user = cast(User, request.user)
    teams = user.teams.select_related("institution").order_by("name")
    if user.role != Role.ADMIN:
        context = {**upcoming_context(user), **context}
        # "My tasks" (CLINICAL.md §15): the open follow-through tasks of this person.
        tasks = my_tasks(user=user)
        if tasks.tasks:
            audit.record_list_read(actor=user, case_ids=sorted({t.case_id for t in tasks.tasks}),
                                   what="my_tasks")
        context["my_tasks"] = tasks
    return render(request, template, {"teams": teams, **context})


#: Rows of each list on a home page: the most urgent or most recent, each list with its count
#: and a link to the whole of it (the case list, the triage queue). A home that listed 50 of
#: everything took 330 ms to build at 1k cases (bench/RESULTS.md, issue 22).
HOME_ROWS = 10


@role_required(Role.BREAST_ONCOSURGEON)
def home_breast(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return _home(request, "portal/home_breast.html", **case_rows(request, page_size=HOME_ROWS),
                 **referral_rows(request, page_size=HOME_ROWS),
                 phases=dashboards.phase_links(),
                 unreferred=dashboards.unreferred_triggers(user=user, limit=HOME_ROWS),
                 agenda_items=dashboards.upcoming_items(user=user, limit=HOME_ROWS))


@role_required(Role.NEUROSURGEON)
def home_neuro(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return _home(request, "portal/home_neuro.html", **case_rows(request, page_size=HOME_ROWS),
                 **referral_rows(request, page_size=HOME_ROWS),
                 accepted=dashboards.accepted_by(user=user),
                 surgeries=dashboards.surgeries(user=user))


@role_required(Role.COORDINATOR)
def home_coordinator(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    overdue = CappedPaginator(overdue_referrals(user=user), HOME_ROWS * 2).get_page(1)
    audit.record_list_read(actor=user, case_ids=sorted({r.case_id for r in overdue}),
                           what="overdue_referrals")
    return _home(request, "portal/home_coordinator.html", overdue=overdue,
                 now=timezone.now(), meeting_states=dashboards.coordinated_meetings(
                     user=user, meetings=upcoming_meetings_for(user=user)))


@role_required(Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST)
def home_oncology(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    cases = dashboards.assigned_cases(user=user)
    audit.record_list_read(actor=user, case_ids=[case.pk for case in cases])
    return _home(request, "portal/home_oncology.html",
                 rows=case_next_steps(cases, user.role))


@role_required(*SPECIALIST_ROLES)
def home_specialist(request: HttpRequest) -> HttpResponse:
    """Palliative care physicians and physiotherapists (issue 19): the cases of their care team,
    each with their own open duty in its phase."""
    user = cast(User, request.user)
    cases = dashboards.assigned_cases(user=user)
    audit.record_list_read(actor=user, case_ids=[case.pk for case in cases])
    return _home(request, "portal/home_specialist.html",
                 rows=case_next_steps(cases, user.role))


@role_required(Role.ADMIN)
def home_admin(request: HttpRequest) -> HttpResponse:
    probes = TaskProbe.objects.select_related("requested_by").order_by("-sent_at")[:10]
    return _home(request, "portal/home_admin.html", health=health_report(), probes=probes)


@role_required(Role.RADIATION_ONCOLOGIST)
def home_radonc(request: HttpRequest) -> HttpResponse:
    """The radiation oncologist's home: the triage queue of radiotherapy referrals, the
    radiotherapy plans with §16's flags, and the cases assigned to them (CLINICAL.md §16)."""
    user = cast(User, request.user)
    cases = dashboards.assigned_cases(user=user)
    audit.record_list_read(actor=user, case_ids=[case.pk for case in cases])
    return _home(request, "portal/home_radonc.html",
                 **referral_rows(request, page_size=HOME_ROWS),
                 plans=dashboards.radiotherapy_plans(user=user),
                 rows=case_next_steps(cases, user.role))
