"""The CapabilityStatement at ``metadata``: built from the search registry (``search.PARAMS``) so
that it states exactly what the server does, and nothing it does not."""

from __future__ import annotations

from typing import Any

from . import codes
from .search import MAX_COUNT, PARAMS

RELEASED = "2026-12-04"
PROFILES: dict[str, list[str]] = {
    "Patient": [codes.PROFILE_PATIENT],
    "Condition": [codes.PROFILE_PRIMARY, codes.PROFILE_SECONDARY],
    "Observation": [codes.PROFILE_TUMOR_MARKER, codes.PROFILE_ECOG, codes.PROFILE_KARNOFSKY],
}
DOCUMENTATION: dict[str, str] = {
    "Patient": "The patients of the cases you may see. The MRN has the identifier type MR and "
               "one system per institution: <canonical>/NamingSystem/mrn/<institution code>.",
    "Condition": "Derived from each case: the primary breast cancer (id primary-<case>; only "
                 "when the primary is known, confirmed, or suspected, provisional) and the "
                 "secondary bone cancer with the vertebral levels as body sites (id "
                 "secondary-<case>; once a lesion is recorded).",
    "Observation": "Derived from each stored assessment: the panel (id <assessment>) and each "
                   "of ECOG (LOINC 89247-1), Karnofsky (LOINC 89243-0), ER, PR, HER2, Ki-67, "
                   "SINS with its components and Bilsky per lesion, NOMS, revised Tokuhashi and "
                   "Tomita (id <kind>-<assessment>), as entered for and computed by the "
                   "assessment.",
    "ServiceRequest": "A referral between breast oncology and neurosurgery; priority from its "
                      "urgency.",
    "Task": "Two kinds. The triage of a referral (one per ServiceRequest, same id); owner is "
            "the receiving team. The follow-through tasks of a finalized MDT decision "
            "(CLINICAL.md §15; id ft-<task id>, basedOn its CarePlan): code from "
            "CodeSystem/follow-through-task, status ready (open), completed (done, "
            "executionPeriod.end the date) or cancelled (not done, statusReason the reason), "
            "restriction.period.end the due time, owner the clinician (none: the MDT "
            "coordinators' queue). A search returns both kinds, the triage Tasks first.",
    "CarePlan": "An MDT decision: draft until the meeting is finalized, then active, completed "
                "once carried out.",
}


def _resource(kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": kind,
        "documentation": DOCUMENTATION[kind],
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "versioned",  # meta.versionId is served; no vread or history
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": False,
        "conditionalRead": "not-match",  # If-None-Match on a read answers 304
        "conditionalUpdate": False,
        "conditionalDelete": "not-supported",
        "searchParam": [{"name": name, "type": typ, "documentation": text}
                        for name, (typ, text) in PARAMS[kind].items()],
    }
    if kind in PROFILES:
        entry["supportedProfile"] = PROFILES[kind]
    return entry


def statement(*, base: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "id": "tumorboard",
        "status": "active",
        "date": RELEASED,
        "publisher": "Tumor board service",
        "kind": "instance",
        "software": {"name": "Tumor board service FHIR API"},
        "implementation": {"description": "MDT workflow for breast-cancer spinal metastases: "
                                          "read-only FHIR R4 export", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read-only. Every answer obeys the service's one access rule: "
                             "you see the cases of your care teams (an integration client: of "
                             "its granted teams); anything else is a 404. Unknown search "
                             "parameters are a 400. Errors are OperationOutcome.",
            "security": {"cors": False,
                         "description": "Authorization: Token <key> (an API token of an "
                                        "integration client or a clinician), or a session."},
            "resource": [*[_resource(kind) for kind in PARAMS], {
                "type": "CodeSystem",
                "documentation": "Only the service's own spine-score CodeSystem, at "
                                 f"{codes.scores_system()} (public).",
                "interaction": [{"code": "read"}],
            }],
            "searchParam": [
                {"name": "_count", "type": "number",
                 "documentation": f"matches per page, at most {MAX_COUNT}"},
                {"name": "_offset", "type": "number",
                 "documentation": "index of the first match of the page (the Bundle's paging "
                                  "links carry it)"},
            ],
        }],
    }
