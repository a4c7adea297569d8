"""Applying an ADT message (issue 21): one transaction per message, idempotent on MSH-10.

- A01 (admit), A04 (register), A08 (update): the patient named by PID-3 (MRN and assigning
  authority, which names the institution) is created, or updated to PID-5/7/8;
- A40 (merge): MRG-1 names the prior patient; every case of the prior patient moves to the
  surviving one (PID-3) and the prior record goes; when the surviving MRN is not known here the
  prior record simply takes it.

The processed control id is claimed first (``AdtMessage``, unique per sending application): a
duplicate answers AA and changes nothing. A problem rolls everything back (the claim too) and
answers AE naming the field. Every change is audited under the ADT integration principal
(``settings.ADT_USERNAME``); log lines carry control ids, events and row ids, never a name or an
MRN.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import audit
from cases.models import AuditAction, Patient
from cases.services.common import history_user
from integrations.models import AdtMessage as ProcessedMessage
from tumorboard.models import Institution, User
from tumorboard.roles import Role

from .messages import AdtMessage, AdtProblem, Demographics, PersonId, ack, parse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    code: str  # AA, AE, AR
    ack: str
    duplicate: bool = False
    patient_id: int | None = None


class _Rollback(Exception):
    def __init__(self, problem: AdtProblem) -> None:
        self.problem = problem


def adt_principal() -> User:
    """The integration principal ADT changes are recorded under (created on first use)."""
    user, created = User.objects.get_or_create(
        username=settings.ADT_USERNAME,
        defaults={"role": Role.INTEGRATION, "first_name": "ADT", "last_name": "feed"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.role != Role.INTEGRATION or not user.is_active:
        raise AdtProblem("AE", "MSH-3", "the ADT principal is not an active integration client")
    return user


def _institution(person: PersonId, location: str) -> Institution:
    code = settings.ADT_ASSIGNING_AUTHORITIES.get(person.authority, person.authority)
    found = Institution.objects.filter(code__iexact=code).first()
    if found is None:
        raise AdtProblem("AE", f"{location}.4", "assigning authority not known here")
    return found


def _find(person: PersonId, location: str) -> tuple[Institution, Patient | None]:
    institution = _institution(person, location)
    patient = (Patient.objects.select_for_update()
               .filter(institution=institution, mrn__iexact=person.mrn).first())
    return institution, patient


_FIELDS = ("family_name", "given_name", "birth_date", "sex")


def _apply_demographics(patient: Patient, data: Demographics) -> list[str]:
    changed = [name for name in _FIELDS if getattr(patient, name) != getattr(data, name)]
    for name in changed:
        setattr(patient, name, getattr(data, name))
    return changed


def _save(patient: Patient, actor: User) -> None:
    try:
        patient.full_clean()
    except ValidationError as error:
        name = next(iter(error.message_dict))
        location = {"family_name": "PID-5.1", "given_name": "PID-5.2", "birth_date": "PID-7",
                    "sex": "PID-8", "mrn": "PID-3.1"}.get(name, "PID")
        raise AdtProblem("AE", location, "not accepted by the patient record") from None
    history_user(patient, actor)
    patient.save()


def _upsert(parsed: AdtMessage, actor: User) -> Patient:
    assert parsed.demographics is not None
    institution, patient = _find(parsed.person, "PID-3")
    detail = {"source": "adt", "event": parsed.event, "control_id": parsed.control_id[:60]}
    if patient is None:
        patient = Patient(institution=institution, mrn=parsed.person.mrn, created_by=None)
        _apply_demographics(patient, parsed.demographics)
        _save(patient, actor)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=patient, detail=detail,
                     patient_id=patient.pk)
        return patient
    changed = _apply_demographics(patient, parsed.demographics)
    if changed:
        _save(patient, actor)
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=patient,
                     detail={**detail, "fields": changed}, patient_id=patient.pk)
    return patient


def _merge(parsed: AdtMessage, actor: User) -> Patient:
    assert parsed.prior is not None and parsed.demographics is not None
    _institution_prior, prior = _find(parsed.prior, "MRG-1")
    institution, surviving = _find(parsed.person, "PID-3")
    if prior is None:
        raise AdtProblem("AE", "MRG-1", "prior patient not known here")
    detail = {"source": "adt", "event": parsed.event, "control_id": parsed.control_id[:60]}
    if surviving is not None and surviving.pk == prior.pk:
        raise AdtProblem("AE", "MRG-1", "prior identifier names the surviving patient")
    if surviving is None:
        if prior.institution_id != institution.pk:
            raise AdtProblem("AE", "PID-3.4", "a merge cannot move a patient between "
                                              "institutions")
        prior.mrn = parsed.person.mrn
        changed = ["mrn", *_apply_demographics(prior, parsed.demographics)]
        _save(prior, actor)
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=prior,
                     detail={**detail, "fields": changed, "merge": "identifier changed"},
                     patient_id=prior.pk)
        return prior
    if surviving.institution_id != prior.institution_id:
        raise AdtProblem("AE", "MRG-1.4", "a merge cannot move cases between institutions")
    changed = _apply_demographics(surviving, parsed.demographics)
    if changed:
        _save(surviving, actor)
    moved = []
    for case in prior.cases.select_for_update().order_by("pk"):
        case.patient = surviving
        history_user(case, actor)
        case.save(update_fields=["patient", "updated_at"])
        moved.append(case.pk)
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=case, case=case,
                     detail={**detail, "fields": ["patient"], "merged_from_patient": prior.pk,
                             "merged_into_patient": surviving.pk})
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=surviving,
                 detail={**detail, "fields": changed, "merged_from_patient": prior.pk,
                         "cases_moved": moved}, patient_id=surviving.pk)
    audit.record(actor=actor, action=AuditAction.UPDATE, object_type="patient",
                 object_id=prior.pk, patient_id=prior.pk,
                 detail={**detail, "merged_into_patient": surviving.pk, "removed": True})
    history_user(prior, actor)
    prior.delete()
    return surviving


def adt_process(text: str) -> Outcome:
    """Process one message (the text of one MLLP frame) and answer its ACK."""
    try:
        parsed = parse(text)
    except AdtProblem as problem:
        logger.info("adt message refused: %s %s", problem.code, problem.location)
        return Outcome(problem.code, ack(problem.code, message=problem.message,
                                         control_id=problem.control_id, text=problem.reason,
                                         location=problem.location))
    try:
        with transaction.atomic():
            actor = adt_principal()
            try:
                with transaction.atomic():
                    claim = ProcessedMessage.objects.create(
                        sending_application=parsed.sending_application,
                        control_id=parsed.control_id, event=parsed.event)
            except IntegrityError:
                logger.info("adt %s %s: duplicate control id, nothing changed", parsed.event,
                            parsed.control_id[:60])
                return Outcome("AA", ack("AA", message=parsed.message,
                                         control_id=parsed.control_id,
                                         text="duplicate: already processed"), duplicate=True)
            try:
                patient = (_merge(parsed, actor) if parsed.event == "A40"
                           else _upsert(parsed, actor))
            except AdtProblem as problem:
                raise _Rollback(problem) from None
            claim.patient_id = patient.pk
            claim.save(update_fields=["patient_id"])
    except _Rollback as rollback:
        refused = rollback.problem
        logger.info("adt %s %s refused: %s %s", parsed.event, parsed.control_id[:60],
                    refused.code, refused.location)
        return Outcome(refused.code, ack(refused.code, message=parsed.message,
                                         control_id=parsed.control_id, text=refused.reason,
                                         location=refused.location))
    except AdtProblem as problem:
        return Outcome(problem.code, ack(problem.code, message=parsed.message,
                                         control_id=parsed.control_id, text=problem.reason,
                                         location=problem.location))
    logger.info("adt %s %s applied to patient %s", parsed.event, parsed.control_id[:60],
                patient.pk)
    return Outcome("AA", ack("AA", message=parsed.message, control_id=parsed.control_id),
                   patient_id=patient.pk)
