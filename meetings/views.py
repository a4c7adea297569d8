"""Meeting pages. Thin: every page starts from the visibility selectors (an outsider gets 404),
calls one service for a write, and shows its refusal as a message (nothing changed). Agenda
reordering is by arrows: small POST forms, no JavaScript needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import audit
from cases.access import case_list_visible_to
from cases.forms import apply_errors
from cases.models import AuditAction
from tumorboard.errors import Conflict
from tumorboard.labels import field_label, label
from tumorboard.models import Team, User
from tumorboard.roles import CARE_ROLES, CLINICAL_ROLES, Role, is_clinician
from tumorboard.views import role_required

from . import completeness, ical, metrics, packet, selectors, services, states
from .forms import (
    QUORUM_OVERRIDE_LABEL,
    AddCaseForm,
    DecisionForm,
    FinalizeForm,
    FindCaseForm,
    FollowUpForm,
    MeetingCreateForm,
    OpinionForm,
    PrepareForm,
    attach_decision_forms,
)
from .live import live_page
from .models import Meeting, PacketKind
from .services.prepare import OPINION_STATUSES


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _invitable() -> Any:
    """Who may be invited: active clinicians and MDT coordinators."""
    people = User.objects.filter(is_active=True, role__in=CARE_ROLES)
    return people.order_by("last_name", "first_name", "pk")


def _attempt(request: HttpRequest, call: Callable[[], object], done: str) -> bool:
    try:
        call()
    except states.IllegalMove as error:
        allowed = ", ".join(label(a).lower() for a in error.allowed) or "nothing"
        messages.error(request, f"Not done: {error}. Allowed now: {allowed}.")
    except services.QuorumNotMet as error:
        missing = ", ".join(label(role, "role") for role in error.missing)
        messages.error(request, f"Not done: no quorum, nobody is recorded present as {missing}. "
                                f"To finalize anyway, fill in “{QUORUM_OVERRIDE_LABEL}”.")
    except ValidationError as error:
        messages.error(request, "Not done: " + "; ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, f"Not done: {error}.")
    except Conflict as error:  # e.g. a meeting started before its day
        messages.error(request, f"Not done: {error}.")
    else:
        messages.success(request, done)
        return True
    return False


def upcoming_context(user: User) -> dict[str, Any]:
    """"My upcoming meetings", for every clinician's home page (one query)."""
    return {"upcoming_meetings": selectors.upcoming_meetings_for(user=user)}


@role_required(*CARE_ROLES)
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    teams = Team.objects.filter(kind=Team.Kind.MDT, memberships__user=user)
    form = None
    if user.role == Role.COORDINATOR:
        # Attendees are ticked from the MDT team's members (the chair and the coordinator are
        # always invited).
        invitable = _invitable().filter(memberships__team__in=teams).distinct()
        form = MeetingCreateForm(request.POST or None, people=selectors.clinicians(),
                                 invitable=invitable)
        if request.method == "POST" and form.is_valid():
            team = teams.first()
            data = form.cleaned_data
            if team is None:
                form.add_error(None, "you are not a member of an MDT team")
            else:
                try:
                    meeting = services.meeting_create(
                        mdt_team=team, starts_at=data["starts_at"], chair=data["chair"],
                        coordinator=user, actor=user, title=data["title"],
                        duration_minutes=data["duration_minutes"], place=data["place"],
                        video_link=data["video_link"], attendees=list(data["attendees"]),
                        record_past=data["record_past"], past_reason=data["past_reason"])
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(request, "Past meeting recorded." if data["record_past"]
                                     else "Meeting scheduled; invitations are on their way.")
                    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    meetings = list(selectors.meeting_list_for_display(user=user)[:200])
    return render(request, "meetings/meeting_list.html", {"meetings": meetings, "form": form,
                                                          "now": timezone.now()})


def meeting_day(meeting: Meeting) -> Any:
    return timezone.localtime(meeting.starts_at).date()


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = _actor(request)
    items: list[Any] = list(selectors.items_visible_to(user=user, meeting=meeting))
    completeness.for_items(items, day=meeting_day(meeting))
    opinions = selectors.opinions_by_item(items)
    for item in items:
        item.opinion_list = opinions[item.pk]
    attendances = selectors.attendance_rows(meeting=meeting)
    packets = {p.kind: p for p in meeting.packets.filter(audience=user)}
    runner = services.is_runner(meeting, user)
    audit.record_list_read(actor=user, case_ids=[item.case_id for item in items],
                           what="meeting_page")
    return {
        "meeting": meeting, "items": items, "attendances": attendances,
        "hidden_items": selectors.hidden_item_count(user=user, meeting=meeting,
                                                    shown=len(items)),
        "quorum": selectors.quorum_state(attendances), "packets": packets,
        "runner": runner,
        # Invitations whose last send failed (the task retries them): the coordinator sees who.
        "invitation_failures": ([a for a in attendances if a.invitation_error]
                                if runner else []),
        "allowed": states.allowed_actions(meeting.status),
        "add_form": AddCaseForm(), "finalize_form": FinalizeForm(), "find_form": FindCaseForm(),
        "incomplete": [item for item in items if not item.completeness.complete],
    }


def _detail_page(request: HttpRequest, meeting: Meeting, *, bound: Any = None,
                 bound_item: int | None = None, status: int = 200) -> HttpResponse:
    """The meeting page; with the prepare tools (presenter, question, opinions) before the
    meeting. ``bound``: the refused form of item ``bound_item``, its input kept."""
    context = _meeting_context(request, meeting)
    user = _actor(request)
    if meeting.status in OPINION_STATUSES:
        presenters = (selectors.care_team_clinicians(context["items"])
                      if context["runner"] else {})
        for item in context["items"]:
            if context["runner"]:
                item.prepare_form = (
                    bound if isinstance(bound, PrepareForm) and bound_item == item.pk else
                    PrepareForm(initial={"presenter": item.presenter_id,
                                         "question": item.question},
                                people=presenters[item.pk], prefix=f"prep{item.pk}"))
            if is_clinician(user):
                item.opinion_form = (
                    bound if isinstance(bound, OpinionForm) and bound_item == item.pk else
                    OpinionForm(prefix=f"op{item.pk}"))
    return render(request, "meetings/meeting_detail.html", context, status=status)


@role_required(*CARE_ROLES)
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_visible(user=_actor(request), meeting_id=meeting_id)
    return _detail_page(request, meeting)


@require_POST
@role_required(*CARE_ROLES)
def item_prepare(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """The presenter and the question of one item (the coordinator or the chair)."""
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    item = selectors.item_get_visible(user=user, meeting=meeting, item_id=item_id)
    if not services.is_runner(meeting, user):
        messages.error(request, "Not done: only the meeting's coordinator or chair may do this.")
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    people = selectors.care_team_clinicians([item])[item.pk]
    form = PrepareForm(request.POST, people=people, prefix=f"prep{item.pk}")
    if form.is_valid():
        presenter = next((p for p in people if p.pk == form.cleaned_data["presenter"]), None)
        try:
            services.agenda_item_update(item=item, actor=user, presenter=presenter,
                                        question=form.cleaned_data["question"])
        except ValidationError as error:
            apply_errors(form, error)
        except (states.IllegalMove, PermissionDenied) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Item {item.position} prepared: presenter and question "
                                      f"saved.")
            return redirect(f"{reverse('meetings:meeting-detail', args=[meeting.pk])}"
                            f"#prepare-{item.pk}")
    return _detail_page(request, meeting, bound=form, bound_item=item.pk, status=400)


@require_POST
@role_required(*CLINICAL_ROLES)
def opinion_add(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """An invited clinician's preliminary opinion on one item, before the meeting."""
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    item = selectors.item_get_visible(user=user, meeting=meeting, item_id=item_id)
    form = OpinionForm(request.POST, prefix=f"op{item.pk}")
    status = 400
    if form.is_valid():
        try:
            services.opinion_record(item=item, author=user,
                                    specialty=form.cleaned_data["specialty"],
                                    text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_errors(form, error)
        except (states.IllegalMove, PermissionDenied) as error:
            form.add_error(None, str(error))
            status = 409 if isinstance(error, states.IllegalMove) else 403
        else:
            messages.success(request, f"Opinion on {item_name(item)} recorded.")
            return redirect(f"{reverse('meetings:meeting-detail', args=[meeting.pk])}"
                            f"#prepare-{item.pk}")
    return _detail_page(request, meeting, bound=form, bound_item=item.pk, status=status)


def _session_page(request: HttpRequest, meeting: Meeting, *, bound: DecisionForm | None = None,
                  bound_item: int | None = None, status: int = 200) -> HttpResponse:
    context = _meeting_context(request, meeting)
    attach_decision_forms(context["items"], list(selectors.clinicians()), bound, bound_item)
    return render(request, "meetings/meeting_session.html", context, status=status)


@role_required(*CARE_ROLES)
def meeting_session(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The in-session page: one decision form per item, in agenda order."""
    meeting = selectors.meeting_get_visible(user=_actor(request), meeting_id=meeting_id)
    return _session_page(request, meeting)


@role_required(*CARE_ROLES)
def meeting_live(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Meeting mode: the agenda one case at a time (meetings.live); ``?item=`` picks the case."""
    meeting = selectors.meeting_get_visible(user=_actor(request), meeting_id=meeting_id)
    return live_page(request, meeting, current=request.GET.get("item"))


def _runner_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return require_POST(role_required(*CARE_ROLES)(view))



@_runner_post
def meeting_populate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_visible(user=_actor(request), meeting_id=meeting_id)
    _attempt(request, lambda: services.agenda_populate(meeting=meeting, actor=_actor(request)),
             "Agenda filled with every eligible case, in CLINICAL.md §13 order.")
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


@_runner_post
def item_move(request: HttpRequest, meeting_id: int, item_id: int,
              direction: str) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    item = selectors.item_get_visible(user=user, meeting=meeting, item_id=item_id)
    _attempt(request, lambda: services.agenda_item_move(item=item, direction=direction,
                                                        actor=user,
                                                        reason=request.POST.get("reason", "")),
             f"Item moved {direction}.")
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


@_runner_post
def item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    form = AddCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not done: find the patient, then press “Add to the agenda”.")
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    case = (case_list_visible_to(user=user).select_related("patient")
            .filter(pk=form.cleaned_data["case"]).first())
    if case is None:
        messages.error(request, "Not done: no such case among yours.")
    else:
        _attempt(request, lambda: services.agenda_item_add(
            meeting=meeting, case=case, actor=user, question=form.cleaned_data["question"]),
            f"{case.patient.family_name}, {case.patient.given_name} added to the agenda.")
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


#: How many cases a search for the agenda shows at most.
FIND_LIMIT = 10


@require_POST
@role_required(*CARE_ROLES)
def item_find(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Find a patient (name or MRN) among the cases the person sees, to add to a planned agenda
    with one button each (no internal case number to type). Within access: cases.access."""
    from cases.views import search

    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    form = FindCaseForm(request.POST)
    found: list[Any] = []
    if form.is_valid():
        on_agenda = meeting.items.values("case_id")
        found = list(search(case_list_visible_to(user=user), form.cleaned_data["find"])
                     .exclude(pk__in=on_agenda).select_related("patient")
                     .order_by("patient__family_name", "patient__given_name", "pk")[:FIND_LIMIT])
        audit.record_list_read(actor=user, case_ids=[case.pk for case in found],
                               what="agenda_search")
    context = _meeting_context(request, meeting)
    context.update({"find_form": form, "found": found, "searched": form.is_valid()})
    return render(request, "meetings/meeting_detail.html", context,
                  status=200 if form.is_valid() else 400)


@_runner_post
def attendance(request: HttpRequest, meeting_id: int, user_id: int) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    present = request.POST.get("present") == "yes"
    _attempt(request, lambda: services.attendance_record(meeting=meeting, user_id=user_id,
                                                         present=present, actor=user),
             "Attendance recorded.")
    target = request.POST.get("next", "")
    if target.startswith("/meetings/") and "//" not in target:  # local meeting pages only
        return redirect(target)
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


@_runner_post
def meeting_move(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    calls: dict[str, Callable[[], object]] = {
        "lock": lambda: services.meeting_lock(meeting=meeting, actor=user),
        "reopen": lambda: services.meeting_reopen(meeting=meeting, actor=user,
                                                  reason=request.POST.get("reason", "")),
        "start": lambda: services.meeting_start(meeting=meeting, actor=user),
        "finalize": lambda: services.meeting_finalize(
            meeting=meeting, actor=user,
            quorum_override_reason=request.POST.get("quorum_override_reason", "")),
    }
    if action not in calls:
        raise Http404("No such action.")
    if _attempt(request, calls[action], f"Meeting: {action} done.") and action == "start":
        return redirect("meetings:meeting-session", meeting_id=meeting.pk)
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


def item_name(item: Any) -> str:
    """An agenda item as the board names it: its position and patient."""
    patient = item.case.patient
    return f"item {item.position} ({patient.family_name}, {patient.given_name})"


@_runner_post
def item_decide(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """Record or correct one decision. A refusal shows the page again with the item's form as
    submitted and the error next to it, naming the item and the field (400); a submit from a
    stale page (the decision changed since it was read) shows both versions and saves nothing
    (409). ``view=live`` answers with the meeting-mode page instead of the in-session page."""
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    item = selectors.item_get_visible(user=user, meeting=meeting, item_id=item_id)
    people = list(selectors.clinicians())
    live = request.POST.get("view") == "live"
    form = DecisionForm(request.POST, people=people, prefix=f"item{item.pk}")

    def again(status: int) -> HttpResponse:
        if live:
            return live_page(request, meeting, current=item.pk, bound=form, status=status)
        return _session_page(request, meeting, bound=form, bound_item=item.pk, status=status)

    if not form.is_valid():
        return again(400)
    data = form.cleaned_data
    responsible = next(person for person in people if person.pk == data["responsible"])
    try:
        services.decision_record(
            item=item, actor=user, pathway=data["pathway"], rationale=data["rationale"],
            responsible=responsible, stabilisation=data["stabilisation"],
            urgency=data["urgency"], override_reason=data["override_reason"],
            expected_version=data["version"])
    except services.DecisionConflict as conflict:
        return _decision_conflict(request, meeting, item, form, conflict, people, live)
    except ValidationError as error:
        apply_errors(form, error)
        return again(400)
    except (states.IllegalMove, PermissionDenied) as error:
        form.add_error(None, str(error))
        return again(409 if isinstance(error, states.IllegalMove) else 403)
    messages.success(request, f"Decision recorded on {item_name(item)}.")
    if live:
        return redirect(f"{reverse('meetings:meeting-live', args=[meeting.pk])}?item={item.pk}")
    return redirect(f"{reverse('meetings:meeting-session', args=[meeting.pk])}#item{item.pk}")


def _decision_conflict(request: HttpRequest, meeting: Meeting, item: Any, form: DecisionForm,
                       conflict: Any, people: list[User], live: bool) -> HttpResponse:
    """409: the decision changed since this page was read. Both versions side by side; a form
    with the submitted values at the stored version, to record them over it on purpose."""
    names = {person.pk: person.display_name for person in people}
    stored = conflict.current
    yours = form.cleaned_data

    def words(data: dict[str, Any] | None) -> dict[str, str]:
        if data is None:
            return {}
        return {
            "pathway": label(data["pathway"], "pathway"),
            "stabilisation": "yes" if data["stabilisation"] else "no",
            "urgency": label(data["urgency"], "urgency") or "—",
            "responsible": names.get(data["responsible"], "—"),
            "rationale": data["rationale"], "override_reason": data["override_reason"] or "—",
        }

    stored_data = None if stored is None else {
        "pathway": stored.pathway, "stabilisation": stored.stabilisation,
        "urgency": stored.urgency, "responsible": stored.responsible_id,
        "rationale": stored.rationale, "override_reason": stored.override_reason}
    mine, theirs = words(yours), words(stored_data)
    rows = [(str(form.fields[name].label or field_label(name)), mine[name], theirs.get(name, "—"))
            for name in ("pathway", "stabilisation", "urgency", "responsible", "rationale",
                         "override_reason")]
    retry = DecisionForm(initial={**yours, "version": conflict.current_version}, people=people,
                         prefix=f"item{item.pk}")
    return render(request, "meetings/decision_conflict.html", {
        "meeting": meeting, "item": item, "item_name": item_name(item), "rows": rows,
        "stored": stored, "retry": retry, "live": live,
    }, status=409)


@_runner_post
def item_follow_up(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    item = selectors.item_get_visible(user=user, meeting=meeting, item_id=item_id)
    decision = getattr(item, "decision", None)
    form = FollowUpForm(request.POST, prefix=f"follow{item.pk}")
    if decision is None or not form.is_valid():
        messages.error(request, "Not done: no decision on this item, or the form is incomplete.")
    else:
        data = form.cleaned_data
        _attempt(request, lambda: services.decision_follow_up(
            decision=decision, actor=user, carried_out=data["carried_out"],
            carried_out_at=data["carried_out_at"]), "Follow-up recorded.")
    return redirect("meetings:meeting-session", meeting_id=meeting.pk)


@_runner_post
def packet_request(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    kind = request.POST.get("kind", PacketKind.PACKET)
    _attempt(request, lambda: services.packet_request(meeting=meeting, kind=kind, actor=user),
             "The PDF is being prepared by a worker; this page shows when it is ready.")
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


@role_required(*CARE_ROLES)
def packet_download(request: HttpRequest, meeting_id: int, kind: str) -> HttpResponse:
    user = _actor(request)
    meeting = selectors.meeting_get_visible(user=user, meeting_id=meeting_id)
    row = selectors.packet_for(meeting=meeting, kind=kind, user=user)
    path = packet.packet_path(row) if row is not None else None
    if row is None or path is None:
        raise Http404("No packet ready.")
    audit.record(actor=user, action=AuditAction.EXPORT, obj=row, case_ids=row.case_ids,
                 detail={"meeting": meeting.pk, "kind": row.kind, "sha256": row.sha256})
    # An attachment: "Download the packet" saves the file (browsers would otherwise open it in a
    # tab, and a PDF viewer tab keeps patient data on screen after the session times out).
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"meeting-{meeting.pk}-{row.kind}.pdf")
    return cast(HttpResponse, response)  # a streaming response, typed as role_required expects


@role_required(*CARE_ROLES)
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_visible(user=_actor(request), meeting_id=meeting_id)
    response = HttpResponse(ical.meeting_ics(meeting, selectors.attendance_rows(meeting=meeting)),
                            content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@role_required(*CARE_ROLES)
def metrics_page(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/metrics.html",
                  {"rows": metrics.monthly_measures(user=_actor(request))})
