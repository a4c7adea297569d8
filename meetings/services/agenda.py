"""The agenda of a meeting: population in CLINICAL.md §13 order (meetings.agenda), cases added
by clinicians, moves by hand and the presenter or question of an item."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from cases import audit
from cases.access import case_list_visible_to
from cases.models import AuditAction, Case
from tumorboard.models import User
from tumorboard.roles import CARE_ROLES

from .. import agenda, states
from ..models import AgendaItem, ItemSource, Meeting, MeetingStatus
from ..states import Operation
from .meetings import locked_meeting, record_event, require_runner

_OFFSET = 1_000_000  # positions are moved out of the way before renumbering (unique constraint)


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
    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
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
    record_event(meeting, "populate", actor, added=[case.pk for case in new_cases],
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
    meeting = locked_meeting(meeting)
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
    record_event(meeting, "add_item", actor, case=case.pk, item=item.pk)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, case=case,
                 detail={"agenda_add": item.pk})
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, actor: User,
                     reason: str = "") -> AgendaItem:
    """Move an item one place up or down (arrows on the page, the API). Recorded as an event;
    from then on population keeps the hand-made order."""
    meeting = locked_meeting(item.meeting)
    require_runner(meeting, actor)
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
    record_event(meeting, "reorder", actor, note=(reason or "").strip(), item=moved.pk,
           case=moved.case_id, from_position=index + 1, to_position=target + 1)
    return moved


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor: User, presenter: User | None = None,
                       question: str | None = None) -> AgendaItem:
    meeting = locked_meeting(item.meeting)
    require_runner(meeting, actor)
    states.require(meeting.status, Operation.EDIT_ITEM)
    if presenter is not None:
        from .prepare import may_present

        if not may_present(presenter, item):
            raise ValidationError({"presenter": "the presenter is a clinician of the case's "
                                                "care team"})
        item.presenter = presenter
    if question is not None:
        item.question = question.strip()
    item.save(update_fields=["presenter", "question"])
    record_event(meeting, "edit_item", actor, item=item.pk)
    return item
