"""Spinal lesions and their imaging studies: the writes that change the findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from scoring.calculators import LEVELS, format_levels
from tumorboard.models import User

from .. import audit
from ..models import (
    AuditAction,
    Case,
    LesionImaging,
    SpinalLesion,
)
from ..models.lesion import BILSKY_MODALITIES, validate_levels
from .checklist import duties_fulfilled
from .common import (
    IMAGING_FIELDS,
    LesionLabelTaken,
    history_user,
    lock_case,
    require_change,
)
from .current import clinical_inputs_changed


def _ordered_levels(levels: Iterable[str]) -> list[str]:
    order = {str(level): index for index, level in enumerate(LEVELS)}
    return sorted(levels, key=lambda level: order.get(level, len(order)))


def _imaging(lesion: SpinalLesion, actor: User, fields: dict[str, Any]) -> LesionImaging:
    unknown = set(fields) - set(IMAGING_FIELDS)
    if unknown:
        raise TypeError(f"unknown imaging fields: {sorted(unknown)}")
    imaging = LesionImaging(lesion=lesion, recorded_by=actor, **fields)
    if lesion.pk is not None and LesionImaging.objects.filter(
        lesion=lesion, imaging_date=imaging.imaging_date
    ).exists():
        raise ValidationError({"imaging_date": "this lesion already has a study on that date"})
    imaging.full_clean(exclude=["lesion"] if lesion.pk is None else None)
    return imaging


@transaction.atomic
def lesion_create(
    *, case: Case, levels: list[str], actor: User, label: str = "", **imaging: Any
) -> SpinalLesion:
    """A new lesion with its first imaging study."""
    require_change(actor, case)
    errors: dict[str, Any] = {}
    lesion = SpinalLesion(case=case, levels=levels, created_by=actor, label=label.strip())
    try:
        validate_levels(levels)
    except ValidationError as error:
        errors["levels"] = error.messages
    else:
        lesion.levels = _ordered_levels(levels)
        lesion.label = lesion.label or format_levels(lesion.levels)
    if lesion.label and SpinalLesion.objects.filter(case=case, label=lesion.label).exists():
        errors["label"] = ["this case already has a lesion with this label"]
    try:
        lesion.full_clean(exclude=["levels", *(["label"] if errors else [])])
    except ValidationError as error:
        found = error.message_dict
        taken = [m for m in found.get(NON_FIELD_ERRORS, []) if "label" in m.lower()]
        if taken:  # the label was taken by a concurrent request since the check above
            found[NON_FIELD_ERRORS] = [m for m in found[NON_FIELD_ERRORS] if m not in taken]
            if not found[NON_FIELD_ERRORS]:
                del found[NON_FIELD_ERRORS]
            errors["label"] = ["this case already has a lesion with this label"]
        errors.update(found)
    try:
        study = _imaging(lesion, actor, imaging)
    except ValidationError as error:
        errors.update(error.message_dict)
    else:
        if study.modality not in BILSKY_MODALITIES:
            # The lesion is scored from its first study: it needs a Bilsky grade (§2). Studies
            # on other modalities follow as serial imaging; they keep the last MRI's grade.
            errors["modality"] = ["a new lesion is entered from an MRI or a CT myelography, "
                                  "which grade Bilsky; add other studies to it afterwards"]
    if errors:
        raise ValidationError(errors)
    history_user(lesion, actor)
    try:
        with transaction.atomic():  # a savepoint: the lost race below leaves the rest usable
            lesion.save()
    except IntegrityError as error:
        # Two identical POSTs at once both passed the check above; the unique constraint kept
        # one. The other is told which lesion now holds the label (409, never a 500).
        if "lesion_label_unique" not in str(error):
            raise
        existing = SpinalLesion.objects.filter(case=case, label=lesion.label).first()
        raise LesionLabelTaken(lesion_id=existing.pk if existing else None) from None
    study.lesion = lesion
    history_user(study, actor)
    study.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=lesion, case=case)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=study, case=case)
    case = lock_case(case)
    clinical_inputs_changed(case, actor)
    duties_fulfilled(case=case, fact="lesion_recorded", actor=actor)
    return lesion


@transaction.atomic
def lesion_imaging_add(*, lesion: SpinalLesion, actor: User, **imaging: Any) -> LesionImaging:
    """Serial imaging of an existing lesion; progression is then computed from the data."""
    case = lesion.case
    require_change(actor, case)
    study = _imaging(lesion, actor, imaging)
    history_user(study, actor)
    study.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=study, case=case,
                 detail={"lesion": lesion.pk})
    case = lock_case(case)
    clinical_inputs_changed(case, actor)
    duties_fulfilled(case=case, fact="imaging_recorded", actor=actor)
    return study
