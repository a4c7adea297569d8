"""Pages of the project package: role home pages, health, and the operator's system page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import audit

from . import dashboards, services
from .health import health_report
from .models import TaskProbe, User
from .roles import HOME_URL_NAME, Role

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Let the given roles in; send anyone else to their own home page."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if cast(User, request.user).role not in roles:
                return redirect("home")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = cast(User, request.user).role
    url_name = HOME_URL_NAME.get(Role(role)) if role in Role.values else None
    if url_name is None:
        return render(request, "tumorboard/no_role.html", status=403)
    return redirect(url_name)


def _home(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    user = cast(User, request.user)
    teams = user.teams.select_related("institution").order_by("name")
    if user.role != Role.ADMIN:
        from meetings.views import upcoming_context  # meetings builds on this package

        context = {**upcoming_context(user), **context}
    return render(request, template, {"teams": teams, **context})


@role_required(Role.BREAST_ONCOSURGEON)
def home_breast(request: HttpRequest) -> HttpResponse:
    from cases.views import case_rows  # cases.views imports this module
    from referrals.views import referral_rows

    user = cast(User, request.user)
    cases = case_rows(request)
    return _home(request, "tumorboard/home_breast.html", **cases, **referral_rows(request),
                 phases=dashboards.phase_counts([case for case, _ in cases["rows"]]),
                 unreferred=dashboards.unreferred_triggers(user=user),
                 agenda_items=dashboards.upcoming_items(user=user))


@role_required(Role.NEUROSURGEON)
def home_neuro(request: HttpRequest) -> HttpResponse:
    from cases.views import case_rows  # cases.views imports this module
    from referrals.views import referral_rows

    user = cast(User, request.user)
    return _home(request, "tumorboard/home_neuro.html", **case_rows(request),
                 **referral_rows(request), accepted=dashboards.accepted_by(user=user),
                 surgeries=dashboards.surgeries(user=user))


@role_required(Role.COORDINATOR)
def home_coordinator(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from referrals.selectors import overdue_referrals

    overdue = list(overdue_referrals(user=cast(User, request.user))[:100])
    audit.record_list_read(actor=cast(User, request.user),
                           case_ids=sorted({r.case_id for r in overdue}), what="overdue_referrals")
    from meetings.selectors import upcoming_meetings_for

    user = cast(User, request.user)
    return _home(request, "tumorboard/home_coordinator.html", overdue=overdue,
                 now=timezone.now(), meeting_states=dashboards.coordinated_meetings(
                     user=user, meetings=upcoming_meetings_for(user=user)))


@role_required(Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST)
def home_oncology(request: HttpRequest) -> HttpResponse:
    from cases.selectors import case_next_step

    user = cast(User, request.user)
    cases = dashboards.assigned_cases(user=user)
    audit.record_list_read(actor=user, case_ids=[case.pk for case in cases])
    return _home(request, "tumorboard/home_oncology.html",
                 rows=[(case, case_next_step(case, user.role)) for case in cases])


@role_required(Role.ADMIN)
def home_admin(request: HttpRequest) -> HttpResponse:
    probes = TaskProbe.objects.select_related("requested_by").order_by("-sent_at")[:10]
    return _home(request, "tumorboard/home_admin.html", health=health_report(), probes=probes)


@require_POST
@role_required(Role.ADMIN)
def send_probe(request: HttpRequest) -> HttpResponse:
    probe = services.task_probe_send(actor=cast(User, request.user))
    messages.success(request, f"Probe {probe.pk} sent to the workers.")
    return redirect("home-admin")


@never_cache
@require_GET
@login_required
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """"Stay signed in": any request restarts the inactivity clock (SESSION_SAVE_EVERY_REQUEST);
    this one says how long the session now lasts."""
    from django.conf import settings

    return JsonResponse({"seconds_left": settings.SESSION_COOKIE_AGE})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
