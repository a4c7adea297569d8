"""Reads for the FHIR export: every row starts from ``cases.selectors.case_list_visible_to``, so
an integration client sees only its granted teams' cases and a clinician only their care teams'.
Outside that, ``Http404`` (never 403)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cases import audit
from cases.access import visible_case_condition
from cases.models import Assessment, AuditAction, Case
from cases.selectors import case_get_visible, patient_get_visible
from meetings.models import Decision
from referrals.models import Referral
from tumorboard.models import User

from . import fhir


def _pk(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Http404("not found") from None


def _exported(actor: User, case: Case, kind: str, pk: int) -> None:
    audit.record(actor=actor, action=AuditAction.EXPORT, case=case, object_type=f"fhir_{kind}",
                 object_id=pk, detail={"format": "fhir-r4"})


def _referral(user: User, referral_id: object) -> Referral:
    referral = (Referral.objects.filter(visible_case_condition(user=user, case_ref="case_id"))
                .select_related("case", "sender", "receiving_team")
                .filter(pk=_pk(referral_id)).first())
    if referral is None:
        raise Http404("No such referral.")
    return referral


def fhir_patient(*, user: User, patient_id: object) -> dict[str, Any]:
    row = patient_get_visible(user=user, patient_id=_pk(patient_id))
    audit.record(actor=user, action=AuditAction.EXPORT, obj=row, object_type="fhir_patient",
                 detail={"format": "fhir-r4"})
    return fhir.patient(row)


def fhir_service_request(*, user: User, referral_id: object) -> dict[str, Any]:
    referral = _referral(user, referral_id)
    _exported(user, referral.case, "servicerequest", referral.pk)
    return fhir.service_request(referral, case=referral.case)


def fhir_task(*, user: User, referral_id: object) -> dict[str, Any]:
    referral = _referral(user, referral_id)
    _exported(user, referral.case, "task", referral.pk)
    return fhir.task(referral, case=referral.case)


def fhir_observation(*, user: User, assessment_id: object) -> dict[str, Any]:
    row = (Assessment.objects.filter(visible_case_condition(user=user, case_ref="case_id"))
           .select_related("case", "created_by").filter(pk=_pk(assessment_id)).first())
    if row is None:
        raise Http404("No such assessment.")
    _exported(user, row.case, "observation", row.pk)
    return fhir.observation(row, case=row.case)


def _decisions() -> Any:
    return Decision.objects.select_related("item__meeting", "item__case", "responsible",
                                           "decided_by")


def fhir_care_plan(*, user: User, decision_id: object) -> dict[str, Any]:
    row = (_decisions().filter(visible_case_condition(user=user, case_ref="item__case_id"))
           .filter(pk=_pk(decision_id)).first())
    if row is None:
        raise Http404("No such decision.")
    _exported(user, row.item.case, "careplan", row.pk)
    return fhir.care_plan(row, case=row.item.case)


def fhir_case_bundle(*, user: User, case_id: object, base_url: str) -> dict[str, Any]:
    """The case's Patient, referrals (ServiceRequest and Task), assessments (Observation) and
    MDT decisions (CarePlan) in one Bundle; a constant number of queries."""
    case = case_get_visible(user=user, case_id=case_id, record=False)
    referrals = list(case.referrals.select_related("sender", "receiving_team").order_by("pk"))
    assessments = list(case.assessments.select_related("created_by").order_by("pk"))
    decisions = list(_decisions().filter(item__case=case).order_by("pk"))
    resources = [fhir.patient(case.patient)]
    for referral in referrals:
        resources += [fhir.service_request(referral, case=case), fhir.task(referral, case=case)]
    resources += [fhir.observation(row, case=case) for row in assessments]
    resources += [fhir.care_plan(row, case=case) for row in decisions]
    _exported(user, case, "bundle", case.pk)
    return fhir.bundle(case=case, resources=resources, base_url=base_url)
