"""Meetings: scheduling, invitations, attendance and the moves before the session (lock,
reopen, start), with the helpers every service of the package shares (the locked meeting row, its
event, who runs it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.models import AuditAction
from tumorboard.errors import Conflict
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import Role, is_clinician
from tumorboard.services import locked, required_text

from .. import snapshot, states
from ..models import AgendaItem, Attendance, Meeting, MeetingEvent
from ..states import Action, Operation

#: A meeting whose start is less than this in the past is "now" (the form was filled in while
#: the room filled up); further back it is a past meeting, recorded only on purpose.
PAST_GRACE = timedelta(minutes=15)


class MeetingNotToday(Conflict):
    """A meeting is started on its day (in the service's time zone, settings.TIME_ZONE), not
    before: nothing changes (HTTP 409)."""

    def __init__(self, meeting: Meeting) -> None:
        self.status = meeting.status
        day = timezone.localtime(meeting.starts_at).date()
        super().__init__(f"this meeting is on {day:%d %b %Y}: it can be started from that day")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": self.status, "field": "starts_at",
                "allowed_actions": states.allowed_actions(self.status)}


# --- helpers --------------------------------------------------------------------------------


def locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting row locked for this transaction: every write of the package starts here."""
    return locked(Meeting.objects.select_related("mdt_team", "coordinator", "chair"), meeting.pk)


def record_event(meeting: Meeting, action: str, actor: User | None, *, from_status: str = "",
          to_status: str = "", note: str = "", **detail: Any) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting, action=action, from_status=from_status or meeting.status,
        to_status=to_status or meeting.status, actor=actor, at=timezone.now(), note=note,
        detail=detail)


def is_runner(meeting: Meeting, user: User) -> bool:
    return user.pk in (meeting.coordinator_id, meeting.chair_id)


def may_attend(user: User) -> bool:
    """Who may be invited to or recorded at a meeting: an active clinician (they count for
    quorum by role) or an MDT coordinator (who never does); never a system or administrator."""
    return is_clinician(user) or (user.is_active and user.role == Role.COORDINATOR)


def require_runner(meeting: Meeting, actor: User) -> None:
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
    record_past: bool = False,
    past_reason: str = "",
) -> Meeting:
    """Schedule a meeting of ``mdt_team``. The chair, the coordinator and ``attendees`` are the
    expected attendees (their roles count for quorum); each gets the invitation e-mail with the
    .ics on commit.

    A meeting is not scheduled in the past: a start more than ``PAST_GRACE`` ago is refused,
    unless the coordinator records a meeting that was held (``record_past`` with
    ``past_reason``: written in the meeting's event and audit rows)."""
    if actor.role != Role.COORDINATOR or not TeamMembership.objects.filter(
            team=mdt_team, user=actor).exists():
        raise PermissionDenied("a coordinator of this MDT team schedules its meetings")
    if mdt_team.kind != Team.Kind.MDT:
        raise ValidationError({"mdt_team": "must be an MDT team"})
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "give a time zone (an aware date and time)"})
    past = starts_at < timezone.now() - PAST_GRACE
    past_reason = (past_reason or "").strip()
    if past and not record_past:
        raise ValidationError({"starts_at": "this time is in the past: give a coming date and "
                                            "time, or record a meeting that was held (tick it "
                                            "and say why)"})
    if record_past and not past:
        raise ValidationError({"record_past": "only a meeting in the past is recorded as held"})
    if record_past and not past_reason:
        raise ValidationError({"past_reason": "say why a past meeting is recorded"})
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
    record_event(meeting, "create", actor, from_status="", to_status=meeting.status,
                 note=past_reason if record_past else "", attendees=sorted(people),
                 recorded_past=record_past)
    detail: dict[str, object] = {"mdt_team": mdt_team.pk}
    if record_past:
        detail.update(recorded_past=True, reason=past_reason)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting, detail=detail)
    if not record_past:  # a meeting that was held needs no invitation
        _send_invitations(meeting)
    return meeting


def _send_invitations(meeting: Meeting) -> None:
    from ..tasks import send_invitations

    send_invitations.delay_on_commit(meeting.pk)


@transaction.atomic
def attendee_invite(*, meeting: Meeting, user: User, actor: User) -> Attendance:
    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
    states.require(meeting.status, Operation.ATTENDANCE)
    if not may_attend(user):
        raise ValidationError({"user": "not an active clinician or MDT coordinator"})
    attendance, created = Attendance.objects.get_or_create(meeting=meeting, user=user,
                                                           defaults={"role": user.role})
    if created:
        record_event(meeting, "invite", actor, user=user.pk, role=user.role)
        _send_invitations(meeting)
    return attendance


@transaction.atomic
def attendance_record(*, meeting: Meeting, user_id: int, present: bool, actor: User) -> Attendance:
    """Record whether an invited person is present (a person not invited is added, unexpected)."""
    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
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
    record_event(meeting, "attendance", actor, user=user_id, present=bool(present))
    return attendance


# --- moves before the session -------------------------------------------------------------


@transaction.atomic
def meeting_lock(*, meeting: Meeting, actor: User) -> Meeting:
    """planned -> agenda_locked: each item's snapshot is frozen (meetings.snapshot), and the
    accepted referrals of the listed cases move to listed_for_mdt (referrals' state machine)."""
    from referrals.services import referrals_list_for_meeting

    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
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
    record_event(meeting, Action.LOCK, actor, from_status=previous, to_status=meeting.status,
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
    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.REOPEN)
    reason = required_text(reason, "reason", "say why the agenda is reopened")
    AgendaItem.objects.filter(meeting=meeting).update(snapshot=None, snapshot_at=None)
    previous, meeting.status, meeting.locked_at = meeting.status, move.to_status, None
    meeting.save(update_fields=["status", "locked_at", "updated_at"])
    record_event(meeting, Action.REOPEN, actor, from_status=previous, to_status=meeting.status,
           note=reason)
    return meeting


@transaction.atomic
def meeting_start(*, meeting: Meeting, actor: User) -> Meeting:
    """agenda_locked -> in_session, on the meeting's day or later (``MeetingNotToday``)."""
    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.START)
    if timezone.localdate() < timezone.localtime(meeting.starts_at).date():
        raise MeetingNotToday(meeting)
    previous, meeting.status = meeting.status, move.to_status
    meeting.save(update_fields=["status", "updated_at"])
    record_event(meeting, Action.START, actor, from_status=previous, to_status=meeting.status)
    return meeting
