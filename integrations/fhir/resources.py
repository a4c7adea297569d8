"""FHIR R4 mappings of the workflow rows: pure functions from our rows to resources (dicts).

One place for every mapping; the views only load rows that the caller may see and call these.
Oncology content (conditions, tumour markers, performance status, spine scores) is in
``oncology``. Every resource carries ``meta.lastUpdated`` and a ``meta.versionId`` that is the
digest of its content (``stamp``), the ETag of its read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from cases.models import Assessment, Case, Patient
from meetings.models import Decision, MeetingStatus
from referrals.models import Referral, ReferralStatus

from . import codes

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


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def stamp(resource: dict[str, Any], *, updated: datetime | None,
          profile: str = "") -> dict[str, Any]:
    """``meta`` of a resource: lastUpdated, the profile it claims, and a versionId that is the
    digest of everything else (the same content is the same version, a change a new one)."""
    meta: dict[str, Any] = {"lastUpdated": instant(updated)}
    if profile:
        meta["profile"] = [profile]
    resource = {**resource, "meta": {key: value for key, value in meta.items() if value}}
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True, default=str).encode())
    resource["meta"]["versionId"] = digest.hexdigest()[:16]
    return resource


def ref(kind: str, pk: object, display: str = "") -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{kind}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def person(user: Any) -> dict[str, Any]:
    """A clinician: we export no Practitioner resources, so a logical reference."""
    return {"type": "Practitioner",
            "identifier": {"system": codes.system("NamingSystem/user"), "value": str(user.pk)},
            "display": str(user)}


def team(row: Any) -> dict[str, Any]:
    """A team: a logical reference (no CareTeam resources); Task?owner= searches its id."""
    return {"type": "CareTeam",
            "identifier": {"system": codes.system("NamingSystem/team"), "value": str(row.pk)},
            "display": row.name}


def drop_none(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if value not in (None, [], "")}


def patient(row: Patient) -> dict[str, Any]:
    """mCODE CancerPatient: every patient here has a breast-cancer spinal-metastasis episode.
    The MRN has the v2-0203 type MR and one system per institution (codes.mrn_system)."""
    return stamp(drop_none({
        "resourceType": "Patient",
        "id": str(row.pk),
        "identifier": [{"use": "usual",
                        "type": {"coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MR",
                                             "display": "Medical record number"}],
                                 "text": "Medical record number"},
                        "system": codes.mrn_system(row.institution.code), "value": row.mrn}],
        "name": [{"family": row.family_name, "given": [row.given_name]}],
        "gender": GENDER.get(row.sex, "unknown"),
        "birthDate": row.birth_date.isoformat(),
    }), updated=row.updated_at, profile=codes.PROFILE_PATIENT)


def referral_code(row: Referral) -> dict[str, Any]:
    return {"text": row.get_direction_display()}


def service_request(row: Referral, *, case: Case) -> dict[str, Any]:
    """The referral as an order: status, intent, priority from urgency, reason, requester,
    performer."""
    return stamp(drop_none({
        "resourceType": "ServiceRequest",
        "id": str(row.pk),
        "status": SERVICE_REQUEST_STATUS[ReferralStatus(row.status)],
        "intent": "order",
        "priority": PRIORITY.get(row.urgency, "routine"),
        "code": referral_code(row),
        "subject": ref("Patient", case.patient_id),
        "authoredOn": instant(row.sent_at or row.created_at),
        "requester": person(row.sender),
        "performer": [team(row.receiving_team)],
        "reasonReference": ([ref("Observation", case.latest_assessment_id,
                                  "latest spine assessment")]
                            if case.latest_assessment_id else []),
        "occurrenceDateTime": instant(row.due_at),
        "note": [{"text": row.urgency_rationale}] if row.urgency_rationale else [],
    }), updated=row.updated_at)


def task(row: Referral, *, case: Case) -> dict[str, Any]:
    """The triage of the referral: Task.status, and our exact state as businessStatus."""
    return stamp(drop_none({
        "resourceType": "Task",
        "id": str(row.pk),
        "status": TASK_STATUS[ReferralStatus(row.status)],
        "businessStatus": {
            "coding": [{"system": codes.system("CodeSystem/referral-state"), "code": row.status,
                        "display": row.get_status_display()}],
            "text": row.get_status_display(),
        },
        "intent": "order",
        "priority": PRIORITY.get(row.urgency, "routine"),
        "code": {"text": "Triage of the referral"},
        "basedOn": [ref("ServiceRequest", row.pk)],
        "focus": ref("ServiceRequest", row.pk),
        "for": ref("Patient", case.patient_id),
        "authoredOn": instant(row.created_at),
        "lastModified": instant(row.updated_at),
        "requester": person(row.sender),
        "owner": team(row.receiving_team),
        "statusReason": {"text": row.decline_reason} if row.decline_reason else None,
    }), updated=row.updated_at)


#: Follow-through task status -> FHIR Task.status (CLINICAL.md §15: done, or not done with a
#: reason).
FOLLOW_THROUGH_STATUS = {"open": "ready", "done": "completed", "not_done": "cancelled"}
FOLLOW_THROUGH_PREFIX = "ft-"


def follow_through_task(row: Any, *, case: Case) -> dict[str, Any]:
    """A follow-through task of a finalized MDT decision (CLINICAL.md §15): id ``ft-<id>`` (the
    triage Tasks have the bare ids of their referrals), based on the decision's CarePlan; owner
    the clinician (none: the MDT coordinators' queue), due time as the restriction's end."""
    return stamp(drop_none({
        "resourceType": "Task",
        "id": f"{FOLLOW_THROUGH_PREFIX}{row.pk}",
        "status": FOLLOW_THROUGH_STATUS[row.status],
        "businessStatus": {
            "coding": [{"system": codes.system("CodeSystem/follow-through-state"),
                        "code": row.status, "display": row.get_status_display()}],
            "text": row.get_status_display(),
        },
        "intent": "order",
        "code": {"coding": [{"system": codes.system("CodeSystem/follow-through-task"),
                             "code": row.kind, "display": row.get_kind_display()}],
                 "text": row.get_kind_display()},
        "basedOn": [ref("CarePlan", row.decision_id)],
        "focus": ref("CarePlan", row.decision_id),
        "for": ref("Patient", case.patient_id),
        "authoredOn": instant(row.created_at),
        "lastModified": instant(row.updated_at),
        "owner": person(row.owner) if row.owner_id else None,
        "restriction": {"period": {"end": instant(row.due_at)}},
        "executionPeriod": {"end": instant(row.done_at)} if row.done_at else None,
        "statusReason": {"text": row.not_done_reason} if row.not_done_reason else None,
    }), updated=row.updated_at)


def _score(code: str, display: str, value: int | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"code": codes.score_concept(code, display),
            "valueInteger": int(value)}


def _loinc(code: str, display: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"code": codes.concept((codes.LOINC, code, display)),
            "valueInteger": int(value)}


def observation(row: Assessment, *, case: Case, members: tuple[str, ...] = ()) -> dict[str, Any]:
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
    return stamp(drop_none({
        "resourceType": "Observation",
        "id": str(row.pk),
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey", "display": "Survey"}]}],
        "code": codes.score_concept("spine-metastasis-assessment"),
        "subject": ref("Patient", case.patient_id),
        "effectiveDateTime": instant(row.evaluated_at),
        "issued": instant(row.evaluated_at),
        "performer": [person(row.created_by)],
        "note": [{"text": f"rules version {row.rules_version}; pathway {row.pathway}"}],
        "component": [component for component in components if component is not None],
        # The scores one by one, ECOG and KPS with their own LOINC codes: oncology.py.
        "hasMember": [ref("Observation", member) for member in members],
    }), updated=row.evaluated_at)


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
    pathway = {"coding": [{"system": codes.system("CodeSystem/mdt-pathway"), "code": row.pathway,
                           "display": row.get_pathway_display()}],
               "text": row.get_pathway_display()}
    return stamp(drop_none({
        "resourceType": "CarePlan",
        "id": str(row.pk),
        "status": status,
        "intent": "plan",
        "category": [pathway],
        "title": f"MDT decision, meeting {meeting.pk}",
        "description": row.rationale,
        "subject": ref("Patient", case.patient_id),
        "created": instant(row.decided_at),
        "author": person(row.decided_by),
        "contributor": [person(row.responsible)],
        "activity": [{"detail": drop_none({
            "status": activity,
            "code": pathway,
            "description": ("with stabilisation; " if row.stabilisation else "")
            + (f"urgency {row.urgency}" if row.urgency else "no urgency set"),
            "performer": [person(row.responsible)],
        })}],
    }), updated=care_plan_updated(row))


def care_plan_updated(row: Decision) -> datetime:
    """A decision changes when recorded and when its meeting is finalized (draft to active)."""
    finalized = getattr(row.item.meeting, "finalized_at", None)
    return max(row.decided_at, finalized) if finalized else row.decided_at


def bundle(*, case: Case, resources: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """The case's resources as one collection Bundle."""
    return {
        "resourceType": "Bundle",
        "id": f"case-{case.pk}",
        "type": "collection",
        "timestamp": instant(case.updated_at),
        "entry": [{"fullUrl": f"{base_url}/{res['resourceType']}/{res['id']}", "resource": res}
                  for res in resources],
    }
