"""Registering patients (and a patient with their case, all or nothing)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tumorboard.models import User

from .. import audit
from ..models import (
    AuditAction,
    Case,
    Patient,
)
from .common import (
    CASE_OPENING_ROLES,
    history_user,
)
from .records import case_create

#: No value in the message: it may reach a log line.
MRN_TAKEN = "a patient with this MRN is already registered in your institution"


class MrnTaken(ValidationError):
    """The MRN (whatever the case of its letters) belongs to a patient of the institution:
    ``patient_id`` lets a page offer that patient, when the person may see them."""

    def __init__(self, patient_id: int | None) -> None:
        super().__init__({"mrn": [MRN_TAKEN]})
        self.patient_id = patient_id


def _holder(institution_id: int, mrn: str) -> int | None:
    return (Patient.objects.filter(institution_id=institution_id, mrn__iexact=mrn)
            .values_list("pk", flat=True).first())


@transaction.atomic
def patient_create(
    *, mrn: str, given_name: str, family_name: str, birth_date: date, sex: str, actor: User
) -> Patient:
    if actor.role not in CASE_OPENING_ROLES:
        raise PermissionDenied("only a breast oncosurgeon or a neurosurgeon registers patients")
    if actor.institution_id is None:
        raise ValidationError({"mrn": "your account has no institution: ask an administrator"})
    mrn = mrn.strip()
    # One MRN, one patient, whatever the case of its letters ("demo-1001" is "DEMO-1001").
    holder = _holder(actor.institution_id, mrn)
    if holder is not None:
        raise MrnTaken(holder)
    patient = Patient(
        institution_id=actor.institution_id, mrn=mrn, given_name=given_name.strip(),
        family_name=family_name.strip(), birth_date=birth_date, sex=sex, created_by=actor,
    )  # fmt: skip
    patient.full_clean()
    history_user(patient, actor)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:  # a concurrent registration of the same MRN
        raise MrnTaken(_holder(actor.institution_id, mrn)) from None
    audit.record(actor=actor, action=AuditAction.CREATE, obj=patient)
    return patient


@transaction.atomic
def case_create_with_patient(*, patient: dict[str, Any], actor: User, **case_fields: Any) -> Case:
    """Register a new patient and open their case, all or nothing; patient errors come back
    as ``patient.<field>`` (the path style of the scoring endpoint)."""
    try:
        new_patient = patient_create(actor=actor, **patient)
    except ValidationError as error:
        raise ValidationError(
            {f"patient.{name}": reasons for name, reasons in error.message_dict.items()}
        ) from None
    return case_create(patient=new_patient, actor=actor, **case_fields)
