"""Every write of the meetings app: one function per change, called by pages, API and tasks.

Each is atomic, locks the meeting row, checks the move or operation against ``meetings.states``,
writes its ``MeetingEvent`` and audit rows in the same transaction, and sends its side effects on
commit (ids only). Refusals: ``IllegalMove`` (HTTP 409 with the allowed actions),
``QuorumNotMet`` (409), ``PermissionDenied`` (403), ``ValidationError`` keyed by field (400).

Who does what: the coordinator creates meetings of an MDT team they belong to; the meeting's
coordinator or chair runs it (agenda, attendance, lock, session, decisions, finalize); only the
chair may finalize without quorum, with a reason; any clinician who sees the meeting and the case
may add the case to a planned agenda with a question for the board.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases import audit
from cases.access import care_team_add, case_list_visible_to
from cases.models import AuditAction, CareTeamReason, Case
from integrations import webhooks
from referrals.models import AlertKind
from referrals.services import case_alerts_create
from scoring.calculators import NomsPathway, Urgency
from tumorboard.errors import Conflict
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import CARE_ROLES, Role, is_clinician

from . import agenda, selectors, snapshot, states
from .models import (
    AgendaItem,
    Attendance,
    Decision,
    ItemSource,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Packet,
    PacketKind,
    PacketStatus,
)
from .states import Action, IllegalMove, Operation

_OFFSET = 1_000_000  # positions are moved out of the way before renumbering (unique constraint)


class QuorumNotMet(Conflict):
    """Finalizing needs a present breast oncosurgeon, neurosurgeon and radiation oncologist
    (meetings.conf), unless the chair records why (HTTP 409)."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        roles = ", ".join(role.replace("_", " ") for role in missing)
        super().__init__(f"no quorum: nobody recorded present as {roles}; the chair may finalize "
                         f"without quorum by giving quorum_override_reason")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": "in_session", "missing_roles": self.missing,
                "allowed_actions": states.allowed_actions("in_session")}


# --- helpers --------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    return (Meeting.objects.select_for_update(of=("self",))
            .select_related("mdt_team", "coordinator", "chair").get(pk=meeting.pk))


def _event(meeting: Meeting, action: str, actor: User | None, *, from_status: str = "",
           to_status: str = "", note: str = "", **detail: Any) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting, action=action, from_status=from_status or meeting.status,
        to_status=to_status or meeting.status, actor=actor, at=timezone.now(), note=note,
        detail=detail)


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def is_runner(meeting: Meeting, user: User) -> bool:
    return user.pk in (meeting.coordinator_id, meeting.chair_id)


def may_attend(user: User) -> bool:
    """Who may be invited to or recorded at a meeting: an active clinician (they count for
    quorum by role) or an MDT coordinator (who never does); never a system or administrator."""
    return is_clinician(user) or (user.is_active and user.role == Role.COORDINATOR)


def _require_runner(meeting: Meeting, actor: User) -> None:
    if not is_runner(meeting, actor):
        raise PermissionDenied("only the meeting's coordinator or chair may do this")


# --- meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    mdt_team: Team,
    starts_at: datetime,
    chair: User,
    coordinator: User,
    actor: User,
    title: str = "Spine metastasis MDT",
    duration_minutes: int = 60,
    place: str = "",
    video_link: str = "",
    attendees: Iterable[User] = (),
) -> Meeting:
    """Schedule a meeting of ``mdt_team``. The chair, the coordinator and ``attendees`` are the
    expected attendees (their roles count for quorum); each gets the invitation e-mail with the
    .ics on commit."""
    if actor.role != Role.COORDINATOR or not TeamMembership.objects.filter(
            team=mdt_team, user=actor).exists():
        raise PermissionDenied("a coordinator of this MDT team schedules its meetings")
    if mdt_team.kind != Team.Kind.MDT:
        raise ValidationError({"mdt_team": "must be an MDT team"})
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "give a time zone (an aware date and time)"})
    if coordinator.role != Role.COORDINATOR:
        raise ValidationError({"coordinator": "must be an MDT coordinator"})
    if not is_clinician(chair):
        raise ValidationError({"chair": "the chair is an active clinician"})
    meeting = Meeting(
        mdt_team=mdt_team, title=title.strip() or "Spine metastasis MDT", starts_at=starts_at,
        duration_minutes=duration_minutes, place=place.strip(), video_link=video_link.strip(),
        chair=chair, coordinator=coordinator, created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    people = {chair.pk: chair, coordinator.pk: coordinator}
    for user in attendees:
        if not may_attend(user):
            raise ValidationError({"attendees": f"user {user.pk} is not an active clinician or "
                                                f"MDT coordinator"})
        people[user.pk] = user
    for user in people.values():  # one by one: each attendance is audited (meetings.signals)
        Attendance.objects.create(meeting=meeting, user=user, role=user.role)
    _event(meeting, "create", actor, from_status="", to_status=meeting.status,
           attendees=sorted(people))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting,
                 detail={"mdt_team": mdt_team.pk})
    _send_invitations(meeting)
    return meeting


def _send_invitations(meeting: Meeting) -> None:
    from .tasks import send_invitations

    send_invitations.delay_on_commit(meeting.pk)


@transaction.atomic
def attendee_invite(*, meeting: Meeting, user: User, actor: User) -> Attendance:
    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.ATTENDANCE)
    if not may_attend(user):
        raise ValidationError({"user": "not an active clinician or MDT coordinator"})
    attendance, created = Attendance.objects.get_or_create(meeting=meeting, user=user,
                                                           defaults={"role": user.role})
    if created:
        _event(meeting, "invite", actor, user=user.pk, role=user.role)
        _send_invitations(meeting)
    return attendance


@transaction.atomic
def attendance_record(*, meeting: Meeting, user_id: int, present: bool, actor: User) -> Attendance:
    """Record whether an invited person is present (a person not invited is added, unexpected)."""
    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.ATTENDANCE)
    attendance = Attendance.objects.filter(meeting=meeting, user_id=user_id).first()
    if attendance is None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not may_attend(user):
            raise ValidationError({"user": "no such active clinician or MDT coordinator"})
        attendance = Attendance(meeting=meeting, user=user, role=user.role, expected=False)
    attendance.present = bool(present)
    attendance.recorded_by, attendance.recorded_at = actor, timezone.now()
    attendance.save()
    _event(meeting, "attendance", actor, user=user_id, present=bool(present))
    return attendance


# --- the agenda -----------------------------------------------------------------------------


def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    AgendaItem.objects.filter(meeting=meeting).update(position=F("position") + _OFFSET)
    for index, item in enumerate(ordered, start=1):
        item.position = index
    AgendaItem.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def agenda_populate(*, meeting: Meeting, actor: User) -> list[AgendaItem]:
    """The coordinator's one button: every eligible case (meetings.agenda) joins the agenda.

    Each item's §13 key inputs and reason are (re)computed from the current rows. While nobody
    has reordered the agenda by hand, the whole agenda is sorted by the key; once someone has
    (``agenda_reordered``), the hand-made order is kept and new cases are appended in key order.
    Idempotent: populating twice with nothing new changes nothing but the reasons."""
    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.POPULATE)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    have = {item.case_id for item in items}
    eligible = list(agenda.with_priority_inputs(agenda.agenda_eligible_cases(meeting=meeting)))
    current = {case.pk: case for case in agenda.with_priority_inputs(
        Case.objects.filter(pk__in=have))}
    priorities = {case.pk: agenda.case_priority(case)
                  for case in [*current.values(), *eligible]}
    new_cases = sorted((case for case in eligible if case.pk not in have),
                       key=lambda case: priorities[case.pk].key)
    for item in items:
        _apply_priority(item, priorities[item.case_id])
    top = max((item.position for item in items), default=0)
    created = []
    for offset, case in enumerate(new_cases, start=1):
        item = AgendaItem(meeting=meeting, case=case, position=_OFFSET * 2 + top + offset,
                          source=ItemSource.AUTO)
        _apply_priority(item, priorities[case.pk])
        created.append(item)
    AgendaItem.objects.bulk_create(created)
    created = list(AgendaItem.objects.filter(meeting=meeting,
                                             case_id__in=[c.pk for c in new_cases]))
    if items:
        AgendaItem.objects.bulk_update(items, ["urgency", "max_sins", "max_bilsky", "referred_at",
                                               "priority_reason"])
    everything = items + sorted(created, key=lambda item: priorities[item.case_id].key)
    if not meeting.agenda_reordered:
        everything.sort(key=lambda item: priorities[item.case_id].key)
    _renumber(meeting, everything)
    _event(meeting, "populate", actor, added=[case.pk for case in new_cases],
           resorted=not meeting.agenda_reordered)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting,
                 case_ids=[case.pk for case in new_cases], detail={"populate": True})
    meeting.save(update_fields=["updated_at"])
    return everything


def _apply_priority(item: AgendaItem, priority: agenda.Priority) -> None:
    item.urgency, item.max_sins = priority.urgency, priority.max_sins
    item.max_bilsky, item.referred_at = priority.max_bilsky, priority.referred_at
    item.priority_reason = priority.reason


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, case: Case, actor: User, question: str = "") -> AgendaItem:
    """A clinician puts a case they may see on a planned agenda, with a question for the board.
    It goes at the end; the next population sorts it with the rest unless the agenda was
    reordered by hand."""
    meeting = _locked(meeting)
    if actor.role not in CARE_ROLES or not actor.is_active:
        raise PermissionDenied("clinicians and MDT coordinators add cases to the agenda")
    states.require(meeting.status, Operation.ADD_ITEM)
    if not case_list_visible_to(user=actor).filter(pk=case.pk).exists():
        raise ValidationError({"case": "no such case among yours"})
    if AgendaItem.objects.filter(meeting=meeting, case=case).exists():
        raise ValidationError({"case": "already on this meeting's agenda"})
    other = (AgendaItem.objects.filter(case=case, meeting__status__in=[
        MeetingStatus.PLANNED, MeetingStatus.AGENDA_LOCKED, MeetingStatus.IN_SESSION])
        .exclude(meeting=meeting).first())
    if other is not None:
        raise ValidationError({"case": f"already on the agenda of open meeting {other.meeting_id}"})
    loaded = agenda.with_priority_inputs(Case.objects.filter(pk=case.pk)).get()
    top = max(AgendaItem.objects.filter(meeting=meeting).values_list("position", flat=True),
              default=0)
    item = AgendaItem(meeting=meeting, case=case, position=top + 1, source=ItemSource.MANUAL,
                      requested_by=actor, question=(question or "").strip())
    _apply_priority(item, agenda.case_priority(loaded))
    item.save()
    _event(meeting, "add_item", actor, case=case.pk, item=item.pk)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, case=case,
                 detail={"agenda_add": item.pk})
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, actor: User,
                     reason: str = "") -> AgendaItem:
    """Move an item one place up or down (arrows on the page, the API). Recorded as an event;
    from then on population keeps the hand-made order."""
    meeting = _locked(item.meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.REORDER)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "up or down"})
    ordered = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    index = next((i for i, row in enumerate(ordered) if row.pk == item.pk), None)
    if index is None:
        raise ValidationError({"item": "not on this meeting's agenda"})
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        end = "first" if direction == "up" else "last"
        raise ValidationError({"direction": f"the item is already {end}"})
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(meeting, ordered)
    meeting.agenda_reordered = True
    meeting.save(update_fields=["agenda_reordered", "updated_at"])
    moved = ordered[target]
    _event(meeting, "reorder", actor, note=(reason or "").strip(), item=moved.pk,
           case=moved.case_id, from_position=index + 1, to_position=target + 1)
    return moved


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor: User, presenter: User | None = None,
                       question: str | None = None) -> AgendaItem:
    meeting = _locked(item.meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.EDIT_ITEM)
    if presenter is not None:
        if not is_clinician(presenter):
            raise ValidationError({"presenter": "the presenter is an active clinician"})
        item.presenter = presenter
    if question is not None:
        item.question = question.strip()
    item.save(update_fields=["presenter", "question"])
    _event(meeting, "edit_item", actor, item=item.pk)
    return item


# --- moves ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_lock(*, meeting: Meeting, actor: User) -> Meeting:
    """planned -> agenda_locked: each item's snapshot is frozen (meetings.snapshot), and the
    accepted referrals of the listed cases move to listed_for_mdt (referrals' state machine)."""
    from referrals.services import referrals_list_for_meeting

    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.LOCK)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    if not items:
        raise ValidationError({"agenda": "the agenda is empty: populate it or add a case first"})
    now = timezone.now()
    cases = snapshot.load_cases(item.case_id for item in items)
    for item in items:
        item.snapshot = snapshot.case_snapshot(cases[item.case_id], now=now)
        item.snapshot_at = now
    AgendaItem.objects.bulk_update(items, ["snapshot", "snapshot_at"])
    previous, meeting.status, meeting.locked_at = meeting.status, move.to_status, now
    meeting.save(update_fields=["status", "locked_at", "updated_at"])
    _event(meeting, Action.LOCK, actor, from_status=previous, to_status=meeting.status,
           items=[item.pk for item in items])
    listed = referrals_list_for_meeting(case_ids=[item.case_id for item in items], actor=actor,
                                        meeting_id=meeting.pk)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=meeting,
                 case_ids=[item.case_id for item in items],
                 detail={"from": previous, "to": meeting.status, "referrals_listed": listed})
    return meeting


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, actor: User, reason: str) -> Meeting:
    """agenda_locked -> planned (before the session): the snapshots are dropped."""
    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.REOPEN)
    reason = _text(reason, "reason", "say why the agenda is reopened")
    AgendaItem.objects.filter(meeting=meeting).update(snapshot=None, snapshot_at=None)
    previous, meeting.status, meeting.locked_at = meeting.status, move.to_status, None
    meeting.save(update_fields=["status", "locked_at", "updated_at"])
    _event(meeting, Action.REOPEN, actor, from_status=previous, to_status=meeting.status,
           note=reason)
    return meeting


@transaction.atomic
def meeting_start(*, meeting: Meeting, actor: User) -> Meeting:
    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.START)
    previous, meeting.status = meeting.status, move.to_status
    meeting.save(update_fields=["status", "updated_at"])
    _event(meeting, Action.START, actor, from_status=previous, to_status=meeting.status)
    return meeting


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    actor: User,
    pathway: str,
    rationale: str,
    responsible: User,
    stabilisation: bool = False,
    urgency: str = "",
    override_reason: str = "",
) -> Decision:
    """Record (or correct, during the session) the board's decision on one item.

    ``follows_recommendation`` is computed: the pathway equals the NOMS pathway of the item's
    snapshot (CLINICAL.md §7), and stabilisation is not dropped when the service required it. An
    override needs ``override_reason``. An item whose case could not be scored has no
    recommendation: the decision is then an override and needs the reason too."""
    meeting = _locked(item.meeting)
    _require_runner(meeting, actor)
    states.require(meeting.status, Operation.DECIDE)
    if pathway not in NomsPathway._value2member_map_:
        raise ValidationError({"pathway": f"one of {', '.join(p.value for p in NomsPathway)}"})
    if urgency and urgency not in Urgency._value2member_map_:
        raise ValidationError({"urgency": "red, orange or green"})
    rationale = _text(rationale, "rationale", "give the rationale of the decision")
    if not is_clinician(responsible):
        raise ValidationError({"responsible": "the responsible clinician is an active clinician"})
    recommended_pathway, recommended_stab = snapshot.recommended(item.snapshot)
    follows = bool(recommended_pathway) and pathway == recommended_pathway and not (
        recommended_stab and not stabilisation)
    override_reason = (override_reason or "").strip()
    if not follows and not override_reason:
        what = (f"the service recommended {recommended_pathway}"
                + (" with stabilisation" if recommended_stab else "")
                if recommended_pathway else "the service had no recommendation for this case")
        raise ValidationError({"override_reason": f"say why the board departs from the "
                                                  f"recommendation ({what})"})
    decision = Decision.objects.filter(item=item).first() or Decision(item=item)
    changed = decision.pk is not None
    decision.pathway, decision.stabilisation, decision.urgency = pathway, stabilisation, urgency
    decision.responsible, decision.rationale = responsible, rationale
    decision.recommended_pathway = recommended_pathway
    decision.recommended_stabilisation = recommended_stab
    decision.follows_recommendation = follows
    decision.override_reason = "" if follows else override_reason
    decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.full_clean(exclude=["item", "responsible", "decided_by"])
    decision.save()
    _event(meeting, "decision", actor, item=item.pk, case=item.case_id, pathway=pathway,
           follows_recommendation=follows, corrected=changed)
    audit.record(actor=actor, action=AuditAction.UPDATE if changed else AuditAction.CREATE,
                 obj=decision, case=item.case,
                 detail={"pathway": pathway, "follows_recommendation": follows})
    _responsible_joins(decision, item.case, actor)
    return decision


def _responsible_joins(decision: Decision, case: Case, actor: User) -> None:
    """The responsible clinician joins the case's care team (audited, cases.access) and is
    alerted, once per decision and person: they must see the case to carry the decision out."""
    care_team_add(case=case, user=decision.responsible, actor=actor,
                  reason=CareTeamReason.DECISION_RESPONSIBLE)
    case_alerts_create(case=case, recipients=[decision.responsible],
                       kind=AlertKind.DECISION_RESPONSIBLE, step=decision.pk)


@transaction.atomic
def meeting_finalize(*, meeting: Meeting, actor: User, quorum_override_reason: str = "") -> Meeting:
    """in_session -> finalized. Needs a decision on every item and quorum (meetings.conf), or the
    chair's recorded reason. The listed referrals of the decided cases are closed (referrals'
    state machine)."""
    from referrals.services import referrals_close_for_decision

    meeting = _locked(meeting)
    _require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.FINALIZE)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("decision")
                 .order_by("position"))
    undecided = [item.position for item in items if not hasattr(item, "decision")]
    if undecided:
        raise ValidationError({"items": f"no decision yet on agenda item(s) "
                                        f"{', '.join(map(str, undecided))}"})
    quorum = selectors.quorum_state(selectors.attendance_rows(meeting=meeting))
    reason = (quorum_override_reason or "").strip()
    if not quorum["met"]:
        if not reason:
            raise QuorumNotMet(quorum["missing"])
        if actor.pk != meeting.chair_id:
            raise PermissionDenied("only the chair may finalize without quorum")
    now = timezone.now()
    previous = meeting.status
    meeting.status, meeting.finalized_at = move.to_status, now
    meeting.quorum_met = bool(quorum["met"])
    meeting.quorum_override_reason = "" if quorum["met"] else reason
    meeting.save(update_fields=["status", "finalized_at", "quorum_met", "quorum_override_reason",
                                "updated_at"])
    _event(meeting, Action.FINALIZE, actor, from_status=previous, to_status=meeting.status,
           note=meeting.quorum_override_reason, quorum_missing=quorum["missing"])
    # Webhooks: outbox rows in this transaction, sent after commit (integrations.webhooks).
    webhooks.meeting_decisions_finalized(meeting=meeting)
    case_ids = [item.case_id for item in items]
    closed = referrals_close_for_decision(case_ids=case_ids, actor=actor, meeting_id=meeting.pk)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=meeting, case_ids=case_ids,
                 detail={"from": previous, "to": meeting.status, "quorum": quorum["met"],
                         "referrals_closed": closed})
    return meeting


@transaction.atomic
def decision_follow_up(*, decision: Decision, actor: User, carried_out: bool,
                       carried_out_at: date | None = None, note: str = "") -> Decision:
    """Whether the decision was carried out, and when (editable after the meeting; CLINICAL.md
    §14 counts it at 30 and 90 days)."""
    meeting = _locked(decision.item.meeting)
    if not is_runner(meeting, actor) and actor.pk != decision.responsible_id:
        raise PermissionDenied("the coordinator, the chair or the responsible clinician records "
                               "the follow-up")
    states.require(meeting.status, Operation.FOLLOW_UP)
    if carried_out and carried_out_at is None:
        raise ValidationError({"carried_out_at": "give the date it was carried out"})
    if not carried_out and carried_out_at is not None:
        raise ValidationError({"carried_out_at": "a date only when it was carried out"})
    if carried_out_at is not None and carried_out_at < decision.decided_at.date():
        raise ValidationError({"carried_out_at": "cannot be before the decision"})
    if carried_out_at is not None and carried_out_at > timezone.localdate():
        raise ValidationError({"carried_out_at": "cannot be in the future"})
    decision.carried_out, decision.carried_out_at = carried_out, carried_out_at
    decision.follow_up_note = (note or "").strip()
    decision.save(update_fields=["carried_out", "carried_out_at", "follow_up_note"])
    _event(meeting, "follow_up", actor, decision=decision.pk, carried_out=carried_out,
           carried_out_at=carried_out_at.isoformat() if carried_out_at else None)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=decision, case=decision.item.case,
                 detail={"carried_out": carried_out})
    return decision


# --- packets --------------------------------------------------------------------------------


@transaction.atomic
def packet_request(*, meeting: Meeting, kind: str, actor: User) -> Packet:
    """Ask for the packet (or, once finalized, the minutes) of ``meeting`` for ``actor``: the
    PDF holds only the cases ``actor`` may see, and is rendered by a worker
    (meetings.tasks.render_packet), never in the request. A request while one is pending or
    rendering returns it; otherwise it renders again (the agenda may have changed)."""
    if kind not in PacketKind.values:
        raise ValidationError({"kind": "packet or minutes"})
    meeting = _locked(meeting)
    if kind == PacketKind.MINUTES and meeting.status != MeetingStatus.FINALIZED:
        raise IllegalMove(status=meeting.status, action="minutes")
    packet, created = Packet.objects.select_for_update().get_or_create(
        meeting=meeting, kind=kind, audience=actor,
        defaults={"requested_at": timezone.now()})
    if not created and packet.status in (PacketStatus.PENDING, PacketStatus.RENDERING):
        # A task lost with its broker, or a worker that died mid-render: asking again re-sends
        # it (the claim in meetings.packet makes a duplicate harmless).
        from .packet import STALE_PENDING, STALE_RENDER
        from .tasks import render_packet

        now = timezone.now()
        if ((packet.status == PacketStatus.PENDING and packet.requested_at < now - STALE_PENDING)
                or (packet.status == PacketStatus.RENDERING and packet.started_at is not None
                    and packet.started_at < now - STALE_RENDER)):
            render_packet.delay_on_commit(packet.pk)
        return packet
    if not created:
        packet.status, packet.requested_at, packet.error = PacketStatus.PENDING, timezone.now(), ""
        packet.attempts = 0
        packet.save(update_fields=["status", "requested_at", "error", "attempts"])
    _event(meeting, "packet_request", actor, packet=packet.pk, kind=kind)
    from .tasks import render_packet

    render_packet.delay_on_commit(packet.pk)
    return packet


__all__ = [
    "IllegalMove",
    "QuorumNotMet",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_update",
    "agenda_populate",
    "attendance_record",
    "attendee_invite",
    "decision_follow_up",
    "decision_record",
    "meeting_create",
    "meeting_finalize",
    "meeting_lock",
    "meeting_reopen",
    "meeting_start",
    "packet_request",
]
