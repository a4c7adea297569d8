"""Writes of the follow-through (CLINICAL.md §15): the tasks of a finalized meeting, done or
closed as not done, assigned from the coordinators' queue, the overdue pass, and the chair's
sign-off of the minutes.

Each write is atomic, audited in its transaction (cases.audit), moves the polled ``updated_at``
of the case (cases.polling) and sends its alerts on commit (referrals' alert outbox)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import audit
from cases.access import care_team_add, case_can_change, case_is_visible
from cases.models import AuditAction, CareTeamReason, Case
from cases.polling import touch_cases
from cases.services import PhaseMoveForbidden, case_transition
from meetings.models import Decision, Meeting, MeetingEvent
from referrals.models import AlertKind
from referrals.services import case_alerts_create
from tumorboard.errors import Conflict
from tumorboard.models import TeamMembership, User
from tumorboard.roles import CLINICAL_ROLES, Role, is_clinician
from tumorboard.services import locked, required_text

from . import policy
from .models import FollowThroughTask, MinutesSignoff, TaskStatus

logger = logging.getLogger(__name__)

#: An overdue task escalates to the MDT coordinators this long after it fell due (§15).
ESCALATE_AFTER = dt.timedelta(hours=24)


class TaskClosed(Conflict):
    """The task was already done or closed (HTTP 409): nothing changes."""

    def __init__(self, task: FollowThroughTask) -> None:
        self.status = task.status
        super().__init__(f"this task is already {task.get_status_display().lower()}")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": self.status}


# --- creating the tasks of a finalized meeting ---------------------------------------------


def _care_team(case: Case) -> list[tuple[User, bool]]:
    """The active clinicians of the case's care team (its teams, its oncologists, the
    clinicians the service added), each with whether they lead one of its teams; one query."""
    teams = [t for t in (case.breast_team_id, case.spine_team_id) if t]
    people = (User.objects.filter(is_active=True, role__in=CLINICAL_ROLES)
              .filter(Q(memberships__team_id__in=teams) | Q(oncology_cases=case)
                      | Q(care_team_cases__case=case))
              .distinct().order_by("pk"))
    leads = set(TeamMembership.objects.filter(team_id__in=teams, is_lead=True)
                .values_list("user_id", flat=True))
    return [(user, user.pk in leads) for user in people]


def resolve_owner(rule: tuple[str, ...], *, decision: Decision,
                  care_team: list[tuple[User, bool]]) -> User | None:
    """The owner of a task (§15): the decision's responsible clinician when the rule says so;
    else the care-team member of the first role of the rule that has one (the responsible
    clinician first, then a team lead, then the longest-standing account). None: the MDT
    coordinators' queue."""
    if rule == (policy.RESPONSIBLE,):
        return decision.responsible if is_clinician(decision.responsible) else None
    for role in rule:
        holders = [(user, lead) for user, lead in care_team if user.role == role]
        if not holders:
            continue
        holders.sort(key=lambda pair: (pair[0].pk != decision.responsible_id, not pair[1],
                                       pair[0].pk))
        return holders[0][0]
    return None


def _finalizer(meeting: Meeting) -> User | None:
    event = (MeetingEvent.objects.filter(meeting=meeting, action="finalize")
             .select_related("actor").order_by("-at", "-pk").first())
    return event.actor if event is not None else None


def coordinators_of_meetings(meeting_ids: Iterable[int]) -> dict[int, list[User]]:
    """The MDT coordinators of each meeting: its coordinator and the active coordinators of its
    MDT team (the queue of unassigned and escalated tasks). Two queries."""
    meetings = list(Meeting.objects.filter(pk__in=set(meeting_ids))
                    .select_related("coordinator"))
    members: dict[int, dict[int, User]] = defaultdict(dict)
    for m in (TeamMembership.objects
              .filter(team_id__in={m.mdt_team_id for m in meetings}, user__is_active=True,
                      user__role=Role.COORDINATOR).select_related("user").order_by("user_id")):
        members[m.team_id][m.user_id] = m.user
    result = {}
    for meeting in meetings:
        people = dict(members[meeting.mdt_team_id])
        if meeting.coordinator.is_active:
            people.setdefault(meeting.coordinator_id, meeting.coordinator)
        result[meeting.pk] = list(people.values())
    return result


@transaction.atomic
def tasks_for_meeting(*, meeting: Meeting, actor: User | None = None) -> list[FollowThroughTask]:
    """Create the tasks of every decision of a finalized meeting (``FOLLOW_THROUGH_POLICY``),
    alert their owners (or the coordinators, for a task nobody on the care team can own) and move
    each case to its next phase. Idempotent: a second call (a retried receiver, finalizing
    twice) creates nothing, alerts nobody and moves nothing (the unique (decision, kind)).
    Returns the tasks created now."""
    if meeting.status != Meeting.Status.FINALIZED:
        return []
    actor = actor or _finalizer(meeting)
    decisions = list(Decision.objects.filter(item__meeting=meeting)
                     .select_related("item__case", "responsible").order_by("item__position"))
    if not decisions:
        return []
    existing = set(FollowThroughTask.objects.filter(decision__in=decisions)
                   .values_list("decision_id", "kind"))
    tz = timezone.get_current_timezone()
    new: list[FollowThroughTask] = []
    for decision in decisions:
        case = decision.item.case
        care_team = _care_team(case)
        for planned in policy.plan(pathway=decision.pathway, stabilisation=decision.stabilisation,
                                   urgency=decision.urgency, decided_at=decision.decided_at,
                                   surgery_date=case.planned_surgery_date, tz=tz):
            if (decision.pk, planned.kind) in existing:
                continue
            new.append(FollowThroughTask(
                case=case, decision=decision, kind=planned.kind, due_at=planned.due_at,
                owner=resolve_owner(planned.owner, decision=decision, care_team=care_team),
                policy_version=policy.POLICY_VERSION))
    if not new:
        return []
    FollowThroughTask.objects.bulk_create(new, ignore_conflicts=True)
    # The rows that were not there before (a concurrent writer's rows too: the alerts are
    # deduplicated by their key, so nobody is alerted twice).
    created = [task for task in FollowThroughTask.objects.filter(decision__in=decisions)
               .select_related("case", "owner").order_by("pk")
               if (task.decision_id, task.kind) not in existing]
    coordinators = coordinators_of_meetings([meeting.pk])[meeting.pk]
    for task in created:
        if task.owner is not None:
            care_team_add(case=task.case, user=task.owner, actor=actor,
                          reason=CareTeamReason.TASK_OWNER)
            case_alerts_create(case=task.case, recipients=[task.owner],
                               kind=AlertKind.TASK_ASSIGNED, step=task.pk)
        else:
            case_alerts_create(case=task.case, recipients=coordinators,
                               kind=AlertKind.TASK_UNASSIGNED, step=task.pk)
    audit.record_many([
        audit.entry(actor=actor, action=AuditAction.CREATE, obj=task, case=task.case,
                    detail={"kind": task.kind, "owner": task.owner_id, "decision": task.decision_id,
                            "due_at": task.due_at.isoformat(), "policy": task.policy_version})
        for task in created])
    for decision in decisions:
        _move_case(decision, meeting)
    touch_cases(task.case_id for task in created)
    return created


def _move_case(decision: Decision, meeting: Meeting) -> None:
    """The decision moves its case from the MDT phase to the next one (``policy.NEXT_PHASE``),
    as its responsible clinician (who joined the care team with the decision). A case no longer
    at the MDT phase (moved by hand, or already moved) stays where it is."""
    case = decision.item.case
    to_phase = policy.next_phase(decision.pathway, decision.stabilisation)
    if to_phase is None or case.phase != "mdt_tumor_board":
        return
    try:
        case_transition(case=case, to_phase=to_phase, actor=decision.responsible,
                        reason=f"MDT decision of meeting {meeting.pk}: "
                               f"{decision.pathway.replace('_', ' ')}")
    except (PhaseMoveForbidden, PermissionDenied):
        logger.info("case %s not moved after decision %s", case.pk, decision.pk)


# --- doing a task ---------------------------------------------------------------------------


def may_work_on(user: User, task: FollowThroughTask) -> bool:
    """Who marks a task done or not done, or assigns it: its owner, a clinician who may change
    the case, or an MDT coordinator who sees it (the coordinators' queue)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if task.owner_id == user.pk:
        return True
    if user.role == Role.COORDINATOR:
        return case_is_visible(user=user, case_id=task.case_id)
    return case_can_change(user=user, case=task.case)


def _locked_open(task: FollowThroughTask, actor: User) -> FollowThroughTask:
    task = locked(FollowThroughTask.objects.select_related("case", "decision"), task.pk)
    if not may_work_on(actor, task):
        raise PermissionDenied("only the owner, the care team or the MDT coordinators close "
                               "this task")
    if task.status != TaskStatus.OPEN:
        raise TaskClosed(task)
    return task


def _save(task: FollowThroughTask, actor: User, detail: dict[str, object]) -> FollowThroughTask:
    task.full_clean()
    task.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=task, case=task.case, detail=detail)
    touch_cases([task.case_id])
    return task


@transaction.atomic
def task_done(*, task: FollowThroughTask, actor: User,
              done_on: dt.date | None = None) -> FollowThroughTask:
    """The task was done on ``done_on`` (today when not given) by ``actor`` (§15). Not in the
    future, not before the decision."""
    task = _locked_open(task, actor)
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": "cannot be in the future"})
    if done_on < timezone.localtime(task.decision.decided_at).date():
        raise ValidationError({"done_on": "cannot be before the decision"})
    now = timezone.now()
    task.done_at = now if done_on == today else dt.datetime.combine(
        done_on, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    task.status, task.done_by = TaskStatus.DONE, actor
    return _save(task, actor, {"status": "done", "done_on": done_on.isoformat()})


@transaction.atomic
def task_not_done(*, task: FollowThroughTask, actor: User, reason: str) -> FollowThroughTask:
    """The task is closed as not done, with the reason (required, §15)."""
    task = _locked_open(task, actor)
    task.not_done_reason = required_text(reason, "not_done_reason",
                                         "say why the task is not done")
    task.status, task.done_by, task.done_at = TaskStatus.NOT_DONE, actor, timezone.now()
    return _save(task, actor, {"status": "not_done"})


@transaction.atomic
def task_assign(*, task: FollowThroughTask, actor: User, owner: User) -> FollowThroughTask:
    """Give an open task to a clinician (from the coordinators' queue, or to someone else); the
    owner joins the care team and is alerted."""
    task = _locked_open(task, actor)
    if not is_clinician(owner):
        raise ValidationError({"owner": "the owner of a task is an active clinician"})
    previous = task.owner_id
    task.owner = owner
    care_team_add(case=task.case, user=owner, actor=actor, reason=CareTeamReason.TASK_OWNER)
    task = _save(task, actor, {"owner": owner.pk, "previous_owner": previous})
    case_alerts_create(case=task.case, recipients=[owner], kind=AlertKind.TASK_ASSIGNED,
                       step=task.pk)
    return task


# --- the overdue pass (beat) ----------------------------------------------------------------


def _claim(ids: list[int], field: str, now: dt.datetime) -> list[int]:
    """The exactly-once claim (healthchecks' sendalerts): only rows still unclaimed."""
    claimed = []
    for pk in ids:
        if FollowThroughTask.objects.filter(pk=pk, status=TaskStatus.OPEN,
                                            **{field: None}).update(**{field: now}):
            claimed.append(pk)
    return claimed


def escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The beat job (§15): an open task past its due time alerts its owner (the coordinators
    when it has none), once; 24 hours after it fell due it alerts the MDT coordinators, once.
    Safe to run twice or concurrently: each step is claimed by a conditional update and each
    alert is deduplicated by its key."""
    now = now or timezone.now()
    counts = {"overdue": 0, "escalated": 0}
    with transaction.atomic():
        due = list(FollowThroughTask.objects
                   .filter(status=TaskStatus.OPEN, due_at__lt=now, overdue_alerted_at=None)
                   .order_by("due_at").values_list("pk", flat=True)[:limit])
        claimed = _claim(due, "overdue_alerted_at", now)
        counts["overdue"] = _alert(claimed, AlertKind.TASK_OVERDUE, now)
    with transaction.atomic():
        late = list(FollowThroughTask.objects
                    .filter(status=TaskStatus.OPEN, due_at__lte=now - ESCALATE_AFTER,
                            overdue_alerted_at__isnull=False, escalated_at=None)
                    .order_by("due_at").values_list("pk", flat=True)[:limit])
        claimed = _claim(late, "escalated_at", now)
        counts["escalated"] = _alert(claimed, AlertKind.TASK_ESCALATED, now)
    return counts


def _alert(ids: list[int], kind: str, now: dt.datetime) -> int:
    if not ids:
        return 0
    tasks = list(FollowThroughTask.objects.filter(pk__in=ids)
                 .select_related("case", "owner", "decision__item").order_by("pk"))
    coordinators = coordinators_of_meetings({t.decision.item.meeting_id for t in tasks})
    for task in tasks:
        queue = coordinators.get(task.decision.item.meeting_id, [])
        if kind == AlertKind.TASK_OVERDUE and task.owner is not None and task.owner.is_active:
            recipients = [task.owner]
        else:
            recipients = queue
        case_alerts_create(case=task.case, recipients=recipients, kind=kind, step=task.pk)
    audit.record_many([
        audit.entry(actor=None, action=AuditAction.UPDATE, obj=task, case=task.case,
                    detail={"overdue": kind, "at": now.isoformat()})
        for task in tasks])
    touch_cases(task.case_id for task in tasks)
    return len(tasks)


# --- the minutes ----------------------------------------------------------------------------


@transaction.atomic
def minutes_signoff(*, meeting: Meeting, actor: User, note: str = "") -> MinutesSignoff:
    """The chair signs off the minutes of a finalized meeting, once (audited)."""
    meeting = locked(Meeting.objects, meeting.pk)
    if actor.pk != meeting.chair_id:
        raise PermissionDenied("only the chair signs off the minutes")
    if meeting.status != Meeting.Status.FINALIZED:
        raise ValidationError({"meeting": "the minutes are signed off once the meeting is "
                                          "finalized"})
    if MinutesSignoff.objects.filter(meeting=meeting).exists():
        raise Conflict("the minutes of this meeting are already signed off")
    signoff = MinutesSignoff.objects.create(meeting=meeting, signed_by=actor,
                                            signed_at=timezone.now(), note=(note or "").strip())
    case_ids = list(meeting.items.values_list("case_id", flat=True))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=signoff, case_ids=case_ids,
                 detail={"meeting": meeting.pk})
    from .tasks import issue_minutes  # followthrough.tasks imports the services

    issue_minutes.delay_on_commit(signoff.pk)
    return signoff
