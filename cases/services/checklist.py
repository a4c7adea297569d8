"""Ticking the duties of each specialty on the care timeline (CLINICAL.md, phases)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from tumorboard.models import User

from .. import audit, timeline
from ..models import (
    AuditAction,
    Case,
    DutyTick,
    PhaseEvent,
)
from .common import (
    history_user,
    lock_case,
    require_change,
    touch,
)


@transaction.atomic
def duty_tick(
    *, case: Case, event: PhaseEvent, duty_code: str, actor: User, note: str = ""
) -> DutyTick:
    """Tick one S2 Table 4 duty of one stay in a phase. A duty is ticked by its own specialty."""
    require_change(actor, case)
    if event.case_id != case.pk:
        raise ValidationError({"event": "not an event of this case"})
    item = timeline.duty(event.to_phase, duty_code)
    if item is None:
        raise ValidationError({"duty_code": "not a duty of this phase"})
    if actor.role != item.specialty:
        raise ValidationError({"duty_code": f"a duty of the {item.specialty.label.lower()}"})
    if DutyTick.objects.filter(event=event, duty_code=duty_code).exists():
        raise ValidationError({"duty_code": "already ticked"})
    tick = DutyTick(event=event, case=case, duty_code=duty_code, specialty=item.specialty,
                    ticked_by=actor, note=note)
    tick.full_clean()
    history_user(tick, actor)
    tick.save()
    touch(lock_case(case), actor)
    audit.record(actor=actor, action=AuditAction.TICK, obj=tick, case=case,
                 detail={"duty": duty_code, "event": event.pk})
    return tick


@transaction.atomic
def duty_untick(*, case: Case, tick: DutyTick, actor: User) -> None:
    """Take a tick back (its row history keeps who ticked it and when)."""
    require_change(actor, case)
    if tick.case_id != case.pk:
        raise ValidationError({"tick": "not a tick of this case"})
    if actor.role != tick.specialty:
        raise ValidationError({"duty_code": "a duty of the other specialty"})
    audit.record(actor=actor, action=AuditAction.UNTICK, obj=tick, case=case,
                 detail={"duty": tick.duty_code, "event": tick.event_id})
    history_user(tick, actor)
    tick.delete()
    touch(lock_case(case), actor)


def duties_fulfilled(*, case: Case, fact: str, actor: User) -> list[DutyTick]:
    """Recording ``fact`` ticks the duties it fulfils (timeline.FACT_DUTIES) in the case's
    current stay, when that phase has them and they are open. Called by the writer inside its
    transaction; the tick names who recorded the fact. Returns the ticks made."""
    if case.current_event_id is None:
        return []
    event = PhaseEvent.objects.filter(pk=case.current_event_id).first()
    if event is None or event.to_phase != case.phase:
        return []
    done = set(DutyTick.objects.filter(event=event).values_list("duty_code", flat=True))
    made = []
    for code in timeline.FACT_DUTIES.get(fact, ()):
        item = timeline.duty(event.to_phase, code)
        if item is None or code in done:
            continue
        tick = DutyTick(event=event, case=case, duty_code=code, specialty=item.specialty,
                        ticked_by=actor, note=f"Done: {timeline.FACT_WORDS[fact]}.")
        history_user(tick, actor)
        tick.save()
        audit.record(actor=actor, action=AuditAction.TICK, obj=tick, case=case,
                     detail={"duty": code, "event": event.pk, "fact": fact})
        made.append(tick)
    return made
