"""FHIR R4 export: pure mapping functions from our rows to FHIR resources (plain dicts).

One place for every mapping; the views only load rows that the caller may see and call these.
The tests validate every resource with ``fhir.resources.R4B`` (R4-compatible models). Spine scores
have no LOINC codes, so they use the local code system ``SCORES``; ECOG and KPS use LOINC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases.models import Assessment, Case, Patient
from meetings.models import Decision, MeetingStatus
from referrals.models import Referral, ReferralStatus

BASE = "https://tumorboard.local/fhir"
SCORES = f"{BASE}/CodeSystem/spine-scores"
REFERRAL_STATE = f"{BASE}/CodeSystem/referral-state"
PATHWAY = f"{BASE}/CodeSystem/mdt-pathway"
MRN = f"{BASE}/NamingSystem/mrn"
USER = f"{BASE}/NamingSystem/user"
TEAM = f"{BASE}/NamingSystem/team"
LOINC = "http://loinc.org"

GENDER = {"female": "female", "male": "male", "other": "other"}
# CLINICAL.md §9 urgency: red is an emergency (< 24 h), orange urgent (< 72 h), green elective.
PRIORITY = {"red": "stat", "orange": "urgent", "green": "routine"}
SERVICE_REQUEST_STATUS = {
    ReferralStatus.RAISED: "draft",
    ReferralStatus.SENT: "active",
    ReferralStatus.ACKNOWLEDGED: "active",
    ReferralStatus.INFO_REQUESTED: "on-hold",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.LISTED_FOR_MDT: "active",
    ReferralStatus.DECLINED: "revoked",
    ReferralStatus.CLOSED: "completed",
    ReferralStatus.CANCELLED: "revoked",
}
TASK_STATUS = {
    ReferralStatus.RAISED: "draft",
    ReferralStatus.SENT: "requested",
    ReferralStatus.ACKNOWLEDGED: "received",
    ReferralStatus.INFO_REQUESTED: "on-hold",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.LISTED_FOR_MDT: "in-progress",
    ReferralStatus.DECLINED: "rejected",
    ReferralStatus.CLOSED: "completed",
    ReferralStatus.CANCELLED: "cancelled",
}


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _ref(kind: str, pk: object, display: str = "") -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{kind}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def _person(user: Any) -> dict[str, Any]:
    """A clinician: we export no Practitioner resources, so a logical reference."""
    return {"type": "Practitioner", "identifier": {"system": USER, "value": str(user.pk)},
            "display": str(user)}


def _team(team: Any) -> dict[str, Any]:
    return {"type": "CareTeam", "identifier": {"system": TEAM, "value": str(team.pk)},
            "display": team.name}


def _drop_none(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if value not in (None, [], "")}


def patient(row: Patient) -> dict[str, Any]:
    return _drop_none({
        "resourceType": "Patient",
        "id": str(row.pk),
        "identifier": [{"system": f"{MRN}/{row.institution.code}", "value": row.mrn}],
        "name": [{"family": row.family_name, "given": [row.given_name]}],
        "gender": GENDER.get(row.sex, "unknown"),
        "birthDate": row.birth_date.isoformat(),
        "meta": {"lastUpdated": _instant(row.updated_at)},
    })


def _referral_code(row: Referral) -> dict[str, Any]:
    return {"text": row.get_direction_display()}


def service_request(row: Referral, *, case: Case) -> dict[str, Any]:
    """The referral as an order: status, intent, priority from urgency, reason, requester,
    performer."""
    return _drop_none({
        "resourceType": "ServiceRequest",
        "id": str(row.pk),
        "meta": {"lastUpdated": _instant(row.updated_at)},
        "status": SERVICE_REQUEST_STATUS[ReferralStatus(row.status)],
        "intent": "order",
        "priority": PRIORITY.get(row.urgency, "routine"),
        "code": _referral_code(row),
        "subject": _ref("Patient", case.patient_id),
        "authoredOn": _instant(row.sent_at or row.created_at),
        "requester": _person(row.sender),
        "performer": [_team(row.receiving_team)],
        "reasonReference": ([_ref("Observation", case.latest_assessment_id,
                                  "latest spine assessment")]
                            if case.latest_assessment_id else []),
        "occurrenceDateTime": _instant(row.due_at),
        "note": [{"text": row.urgency_rationale}] if row.urgency_rationale else [],
    })


def task(row: Referral, *, case: Case) -> dict[str, Any]:
    """The triage of the referral: Task.status, and our exact state as businessStatus."""
    return _drop_none({
        "resourceType": "Task",
        "id": str(row.pk),
        "meta": {"lastUpdated": _instant(row.updated_at)},
        "status": TASK_STATUS[ReferralStatus(row.status)],
        "businessStatus": {
            "coding": [{"system": REFERRAL_STATE, "code": row.status,
                        "display": row.get_status_display()}],
            "text": row.get_status_display(),
        },
        "intent": "order",
        "priority": PRIORITY.get(row.urgency, "routine"),
        "code": {"text": "Triage of the referral"},
        "basedOn": [_ref("ServiceRequest", row.pk)],
        "focus": _ref("ServiceRequest", row.pk),
        "for": _ref("Patient", case.patient_id),
        "authoredOn": _instant(row.created_at),
        "lastModified": _instant(row.updated_at),
        "requester": _person(row.sender),
        "owner": _team(row.receiving_team),
        "statusReason": {"text": row.decline_reason} if row.decline_reason else None,
    })


def _score(code: str, display: str, value: int | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"code": {"coding": [{"system": SCORES, "code": code, "display": display}],
                     "text": display},
            "valueInteger": int(value)}


def _loinc(code: str, display: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"code": {"coding": [{"system": LOINC, "code": code, "display": display}],
                     "text": display},
            "valueInteger": int(value)}


def observation(row: Assessment, *, case: Case) -> dict[str, Any]:
    """One stored assessment: SINS (highest, and per lesion), Tokuhashi, Tomita, ECOG/KPS as
    components of one Observation (CLINICAL.md §1-§4 scores)."""
    result, inputs = row.result, row.inputs
    patient_inputs = inputs.get("patient", {})
    components = [
        _score("sins-max", "SINS, highest of the lesions", row.max_sins),
        *[_score(f"sins-{'-'.join(lesion['levels'])}", f"SINS {'-'.join(lesion['levels'])}",
                 lesion["sins"]["total"]) for lesion in result.get("lesions", [])],
        _score("tokuhashi-revised", "Revised Tokuhashi score", row.tokuhashi_total),
        _score("tomita", "Tomita score", row.tomita_total),
        _loinc("89247-1", "ECOG Performance Status score", patient_inputs.get("ecog")),
        _loinc("89243-0", "Karnofsky Performance Status score", patient_inputs.get("kps")),
    ]
    return _drop_none({
        "resourceType": "Observation",
        "id": str(row.pk),
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey", "display": "Survey"}]}],
        "code": {"coding": [{"system": SCORES, "code": "spine-metastasis-assessment",
                             "display": "Spinal metastasis scores"}],
                 "text": "Spinal metastasis scores"},
        "subject": _ref("Patient", case.patient_id),
        "effectiveDateTime": _instant(row.evaluated_at),
        "issued": _instant(row.evaluated_at),
        "performer": [_person(row.created_by)],
        "note": [{"text": f"rules version {row.rules_version}; pathway {row.pathway}"}],
        "component": [component for component in components if component is not None],
    })


def care_plan(row: Decision, *, case: Case) -> dict[str, Any]:
    """The MDT decision: a plan once the meeting is finalized, a draft before."""
    meeting = row.item.meeting
    final = meeting.status == MeetingStatus.FINALIZED
    if row.carried_out:
        status, activity = "completed", "completed"
    elif final:
        status, activity = "active", "scheduled"
    else:
        status, activity = "draft", "not-started"
    pathway = {"coding": [{"system": PATHWAY, "code": row.pathway,
                           "display": row.get_pathway_display()}],
               "text": row.get_pathway_display()}
    return _drop_none({
        "resourceType": "CarePlan",
        "id": str(row.pk),
        "status": status,
        "intent": "plan",
        "category": [pathway],
        "title": f"MDT decision, meeting {meeting.pk}",
        "description": row.rationale,
        "subject": _ref("Patient", case.patient_id),
        "created": _instant(row.decided_at),
        "author": _person(row.decided_by),
        "contributor": [_person(row.responsible)],
        "activity": [{"detail": _drop_none({
            "status": activity,
            "code": pathway,
            "description": ("with stabilisation; " if row.stabilisation else "")
            + (f"urgency {row.urgency}" if row.urgency else "no urgency set"),
            "performer": [_person(row.responsible)],
        })}],
    })


def bundle(*, case: Case, resources: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """The case's resources as one collection Bundle."""
    return {
        "resourceType": "Bundle",
        "id": f"case-{case.pk}",
        "type": "collection",
        "timestamp": _instant(case.updated_at),
        "entry": [{"fullUrl": f"{base_url}/{res['resourceType']}/{res['id']}", "resource": res}
                  for res in resources],
    }
