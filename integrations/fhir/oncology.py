"""Oncology content aligned with mCODE: the cancer conditions of a case and the Observations of a
stored assessment (tumour markers, performance status, the spine scores one by one).

Everything is derived from what the model holds, never invented: the primary condition only when
the primary is known or suspected breast; the secondary (bone) condition only once a lesion is
recorded; markers and performance status as they were entered for the assessment (its inputs),
effective at its evaluation. Codes and their sources: ``codes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cases.models import Assessment, Case, SpinalLesion
from cases.models.case import PrimaryStatus

from . import codes
from .resources import drop_none, instant, person, ref, stamp
from .resources import observation as assessment_panel

SURVEY = ("survey", "Survey")
LABORATORY = ("laboratory", "Laboratory")


def _condition_base(case: Case, kind: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"{kind}-{case.pk}",
        "clinicalStatus": {"coding": [{"system": codes.CONDITION_CLINICAL, "code": "active"}]},
        "category": [{"coding": [{"system": codes.CONDITION_CATEGORY,
                                  "code": "problem-list-item", "display": "Problem List Item"}]}],
        "subject": ref("Patient", case.patient_id),
        "recordedDate": instant(case.created_at),
    }


def conditions(case: Case, lesions: Iterable[SpinalLesion]) -> list[dict[str, Any]]:
    """The primary breast cancer (CLINICAL.md primary status: known is confirmed, suspected is
    provisional, an unknown primary has none) and the bone metastasis with every vertebral level
    of the case's lesions as a body site."""
    found: list[dict[str, Any]] = []
    verifications: dict[str, str] = {PrimaryStatus.KNOWN_BREAST: "confirmed",
                                     PrimaryStatus.SUSPECTED_BREAST: "provisional"}
    verification = verifications.get(case.primary_status)
    if verification:
        found.append(stamp({
            **_condition_base(case, "primary"),
            "verificationStatus": {"coding": [{"system": codes.CONDITION_VERIFICATION,
                                               "code": verification}]},
            "code": codes.concept(codes.BREAST_PRIMARY),
        }, updated=case.updated_at, profile=codes.PROFILE_PRIMARY))
    levels: list[str] = []
    for lesion in lesions:
        levels += [level for level in lesion.levels if level not in levels]
    if levels:
        found.append(stamp({
            **_condition_base(case, "secondary"),
            "verificationStatus": {"coding": [{"system": codes.CONDITION_VERIFICATION,
                                               "code": "confirmed"}]},
            "code": codes.concept(codes.BONE_SECONDARY),
            # Vertebral levels as text: no SNOMED CT body structure code per level was confirmed.
            "bodySite": [{"text": f"{level} vertebra"} for level in levels],
        }, updated=case.updated_at, profile=codes.PROFILE_SECONDARY))
    return found


def _observation(row: Assessment, case: Case, oid: str, code: dict[str, Any],
                 kind: tuple[str, str], value: dict[str, Any], *, profile: str = "",
                 **extra: Any) -> dict[str, Any]:
    return stamp(drop_none({
        "resourceType": "Observation",
        "id": f"{oid}-{row.pk}",
        "status": "final",
        "category": codes.category(*kind),
        "code": code,
        "subject": ref("Patient", case.patient_id),
        "effectiveDateTime": instant(row.evaluated_at),
        "issued": instant(row.evaluated_at),
        "performer": [person(row.created_by)],
        "derivedFrom": [ref("Observation", row.pk)],
        **value,
        **extra,
    }), updated=row.evaluated_at, profile=profile)


def _markers(row: Assessment, case: Case) -> list[dict[str, Any]]:
    """ER, PR, HER2 positive or negative and the Ki-67 index (CLINICAL.md §12)."""
    receptors = row.inputs.get("patient", {}).get("receptors", {})
    found = []
    for key, test in (("er", codes.ER), ("pr", codes.PR), ("her2", codes.HER2)):
        if receptors.get(key) is None:
            continue
        result = codes.POSITIVE if receptors[key] else codes.NEGATIVE
        found.append(_observation(row, case, key, codes.concept(test), LABORATORY,
                                  {"valueCodeableConcept": codes.concept(result)},
                                  profile=codes.PROFILE_TUMOR_MARKER))
    if receptors.get("ki67") is not None:
        found.append(_observation(
            row, case, "ki67", codes.score_concept("ki67"), LABORATORY,
            {"valueQuantity": {"value": float(receptors["ki67"]), "unit": "%",
                               "system": "http://unitsofmeasure.org", "code": "%"}},
            profile=codes.PROFILE_TUMOR_MARKER))
    return found


def _performance(row: Assessment, case: Case) -> list[dict[str, Any]]:
    """ECOG and KPS (CLINICAL.md §6), each its own Observation with the LOINC code the mCODE
    profile fixes."""
    inputs = row.inputs.get("patient", {})
    found = []
    for key, oid, code, profile in (("ecog", "ecog", codes.ECOG, codes.PROFILE_ECOG),
                                    ("kps", "kps", codes.KARNOFSKY, codes.PROFILE_KARNOFSKY)):
        if inputs.get(key) is not None:
            found.append(_observation(row, case, oid, codes.concept(code), SURVEY,
                                      {"valueInteger": int(inputs[key])}, profile=profile))
    return found


def _component(code: str, value: Any) -> dict[str, Any]:
    typed: dict[str, Any] = ({"valueInteger": value} if isinstance(value, int)
                             else {"valueString": str(value)})
    return {"code": codes.score_concept(code), **typed}


def _spine_scores(row: Assessment, case: Case) -> list[dict[str, Any]]:
    """SINS with its six components and Bilsky per lesion (CLINICAL.md §1, §2), NOMS (§7), the
    revised Tokuhashi (§3) and Tomita (§4) scores, each under the service's CodeSystem."""
    result = row.result
    found = []
    for index, lesion in enumerate(result.get("lesions", [])):
        levels = "-".join(lesion["levels"])
        site: dict[str, Any] = {"bodySite": {"text": f"{levels} vertebra"}}
        sins = lesion["sins"]
        found.append(_observation(
            row, case, f"sins-{index}", codes.score_concept("sins", f"SINS {levels}"), SURVEY,
            {"valueInteger": int(sins["total"])},
            interpretation=[{"text": sins["band"]}], **site,
            component=[_component(f"sins-{name.replace('_', '-')}", int(points))
                       for name, points in sins["components"].items()]))
        grade = (lesion.get("bilsky") or {}).get("grade")
        if grade:
            found.append(_observation(
                row, case, f"bilsky-{index}", codes.score_concept("bilsky", f"Bilsky {levels}"),
                SURVEY, {"valueString": grade}, **site))
    noms = result.get("noms")
    if noms:
        found.append(_observation(
            row, case, "noms", codes.score_concept("noms"), SURVEY,
            {"valueString": noms["pathway"]},
            component=[_component(f"noms-{arm}", noms[arm])
                       for arm in ("neurological", "oncological", "mechanical", "systemic")
                       if noms.get(arm)]))
    for key, oid, band in (("tokuhashi", "tokuhashi-revised", "survival"),
                           ("tomita", "tomita", "goal")):
        score = result.get(key)
        if score:
            found.append(_observation(
                row, case, oid, codes.score_concept(oid), SURVEY,
                {"valueInteger": int(score["total"])}, interpretation=[{"text": score[band]}]))
    return found


def assessment_observations(row: Assessment, case: Case) -> list[dict[str, Any]]:
    """Every Observation of one stored assessment: the panel (id = the assessment's id, with the
    others as hasMember), then each score, marker and performance status on its own."""
    members = [*_performance(row, case), *_markers(row, case), *_spine_scores(row, case)]
    panel = assessment_panel(row, case=case, members=tuple(m["id"] for m in members))
    return [panel, *members]
