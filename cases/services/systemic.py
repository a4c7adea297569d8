"""Writes of systemic therapy episodes, their holds, the dated laboratory values and the
radiotherapy plan (CLINICAL.md §16; read by §10's checks in ``cases.systemic``). Each is atomic,
validated, audited, and makes a new case version."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tumorboard.models import User
from tumorboard.roles import Role

from .. import audit
from ..models import (
    AuditAction,
    Case,
    LabValue,
    RadiotherapyPlan,
    SystemicTherapyEpisode,
    TherapyHold,
)
from .common import history_user, lock_case, require_change, touch


def _save(obj: Any, actor: User) -> None:
    obj.full_clean()
    history_user(obj, actor)
    obj.save()


@transaction.atomic
def episode_create(*, case: Case, actor: User, **fields: Any) -> SystemicTherapyEpisode:
    """Record one episode of one drug (class, drug, start; stop and last dose when known)."""
    require_change(actor, case)
    episode = SystemicTherapyEpisode(case=case, recorded_by=actor, **fields)
    _save(episode, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=episode, case=case,
                 detail={"therapy_class": episode.therapy_class})
    touch(lock_case(case), actor)
    return episode


@transaction.atomic
def episode_stop(*, case: Case, episode: SystemicTherapyEpisode, actor: User,
                 stopped_on: date | None, stop_reason: str = "") -> SystemicTherapyEpisode:
    """Stop an episode on ``stopped_on``, with the reason."""
    require_change(actor, case)
    if episode.case_id != case.pk:
        raise ValidationError({"episode": "not an episode of this case"})
    if episode.stopped_on is not None:
        raise ValidationError({"stopped_on": "the episode has already stopped"})
    if stopped_on is None:
        raise ValidationError({"stopped_on": "give the date it stopped"})
    episode.stopped_on, episode.stop_reason = stopped_on, stop_reason
    _save(episode, actor)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=episode, case=case,
                 detail={"stopped_on": stopped_on.isoformat()})
    touch(lock_case(case), actor)
    return episode


@transaction.atomic
def hold_create(*, case: Case, episode: SystemicTherapyEpisode, actor: User,
                **fields: Any) -> TherapyHold:
    """Hold an episode from a date (to a date when known), with the reason. Holds of one episode
    do not overlap."""
    require_change(actor, case)
    if episode.case_id != case.pk:
        raise ValidationError({"episode": "not an episode of this case"})
    hold = TherapyHold(episode=episode, recorded_by=actor, **fields)
    hold.full_clean()
    for other in episode.holds.all():
        other_end = other.held_to or date.max
        this_end = hold.held_to or date.max
        if hold.held_from <= other_end and other.held_from <= this_end:
            raise ValidationError({"held_from": "overlaps another hold of this episode"})
    history_user(hold, actor)
    hold.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=hold, case=case,
                 detail={"episode": episode.pk})
    touch(lock_case(case), actor)
    return hold


@transaction.atomic
def hold_end(*, case: Case, hold: TherapyHold, actor: User, held_to: date | None) -> TherapyHold:
    """End an open hold on ``held_to`` (the drug is given again from the next day)."""
    require_change(actor, case)
    if hold.episode.case_id != case.pk:
        raise ValidationError({"hold": "not a hold of this case"})
    if hold.held_to is not None:
        raise ValidationError({"held_to": "the hold has already ended"})
    if held_to is None:
        raise ValidationError({"held_to": "give the date the hold ended"})
    hold.held_to = held_to
    _save(hold, actor)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=hold, case=case,
                 detail={"held_to": held_to.isoformat()})
    touch(lock_case(case), actor)
    return hold


@transaction.atomic
def lab_create(*, case: Case, actor: User, **fields: Any) -> LabValue:
    """Record one dated laboratory value (ANC, platelets, haemoglobin, CA 15-3, CEA, ALP)."""
    require_change(actor, case)
    lab = LabValue(case=case, recorded_by=actor, **fields)
    _save(lab, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=lab, case=case,
                 detail={"kind": lab.kind})
    touch(lock_case(case), actor)
    return lab


#: The radiotherapy plan is the radiation oncologist's (CLINICAL.md §16).
PLAN_FIELDS = ("technique", "dose_gy", "fractions", "target_levels", "surgery_date",
               "planned_start", "planned_end", "actual_start", "actual_end")


def _require_radiation_oncologist(actor: User) -> None:
    if actor.role != Role.RADIATION_ONCOLOGIST:
        raise PermissionDenied("a radiotherapy plan is recorded by a radiation oncologist")


@transaction.atomic
def radiotherapy_plan_create(*, case: Case, actor: User, **fields: Any) -> RadiotherapyPlan:
    """Plan radiotherapy (technique, dose, fractions, target levels, planned dates; after
    separation surgery, the surgery date §16's window runs from)."""
    require_change(actor, case)
    _require_radiation_oncologist(actor)
    plan = RadiotherapyPlan(case=case, planned_by=actor, **fields)
    _save(plan, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=plan, case=case,
                 detail={"technique": plan.technique})
    touch(lock_case(case), actor)
    return plan


@transaction.atomic
def radiotherapy_plan_update(*, case: Case, plan: RadiotherapyPlan, actor: User,
                             **fields: Any) -> RadiotherapyPlan:
    """Change the plan or record its actual start and end."""
    require_change(actor, case)
    _require_radiation_oncologist(actor)
    if plan.case_id != case.pk:
        raise ValidationError({"plan": "not a plan of this case"})
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed here"))
    for name, value in fields.items():
        setattr(plan, name, value)
    _save(plan, actor)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, case=case,
                 detail={"fields": sorted(fields)})
    touch(lock_case(case), actor)
    return plan
