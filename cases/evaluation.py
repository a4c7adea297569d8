"""The bridge from stored cases to the pure scoring core (``scoring.calculators``).

Nothing clinical is decided here: this module only builds the core's request from rows, calls the
core, and names the case field behind each input error. Every rule is the core's (CLINICAL.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, Final

from django.utils import timezone

from scoring.calculators import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    BoneModifyingAgent,
    Collapse,
    MolecularSubtype,
    Posterolateral,
    PrimarySite,
    Receptors,
    ScoringInputError,
    Urgency,
    progressed_within_6_weeks,
    progression_changes,
    resolve_subtype,
    timing_checks,
)
from scoring.calculators import (
    LesionImaging as CoreImaging,
)

from .models import Case, LesionImaging, PrimaryStatus, SpinalLesion

#: *Service policy* (DESIGN.md decision): the primary site the calculators score for each primary
#: status. A suspected breast primary has no histology yet, so it is scored as an unknown primary
#: (occult-primary work-up, CLINICAL.md §7 "O unknown: biopsy first" and §8 ``occult_primary``).
PRIMARY_SITE_POLICY: Final[Mapping[str, PrimarySite]] = MappingProxyType(
    {
        PrimaryStatus.KNOWN_BREAST: PrimarySite.BREAST,
        PrimaryStatus.SUSPECTED_BREAST: PrimarySite.UNKNOWN,
        PrimaryStatus.UNKNOWN: PrimarySite.UNKNOWN,
    }
)

_PATIENT_FIELDS: Final = (
    "kps", "ecog", "neurological_deficit", "extraspinal_bone_metastases", "vertebral_metastases",
    "new_patient", "new_or_progressive_back_pain", "ambulatory", "albumin_g_dl", "anc_per_mm3",
)  # fmt: skip
_CHOICE_FIELDS: Final = ("frankel", "visceral_metastases", "bone_modifying_agent")


def primary_site(case: Case) -> PrimarySite:
    return PRIMARY_SITE_POLICY[case.primary_status]


def case_receptors(case: Case) -> Receptors | None:
    if case.er is None and case.pr is None and case.her2 is None and case.ki67 is None:
        return None
    return Receptors(er=case.er, pr=case.pr, her2=case.her2, ki67=case.ki67)


def derive_subtype(case: Case) -> MolecularSubtype:
    """The molecular subtype from the receptors (CLINICAL.md §12, by the core's resolve_subtype)."""
    result = resolve_subtype(primary_site=primary_site(case), receptors=case_receptors(case))
    return result.subtype


def carried_bilsky(imagings: list[LesionImaging]) -> list[str]:
    """The Bilsky grade each study stands for, in date order: its own, or on a study that cannot
    grade it (CT, PET-CT, bone scintigraphy, radiograph: CLINICAL.md §2) the latest grade before
    it; "" until the first graded study."""
    grades, current = [], ""
    for row in imagings:
        current = row.bilsky or current
        grades.append(current)
    return grades


def _core_imaging(row: LesionImaging, bilsky: str) -> CoreImaging:
    return CoreImaging(
        imaged_on=row.imaging_date,
        collapse=Collapse(row.collapse),
        alignment=Alignment(row.alignment),
        posterolateral=Posterolateral(row.posterolateral),
        bilsky=BilskyGrade(bilsky),
        bone_lesion=BoneLesion(row.bone_lesion),
    )


def lesion_progression(imagings: list[LesionImaging]) -> tuple[bool, tuple[str, ...]]:
    """Progression within 6 weeks from the last two studies (CLINICAL.md §8; the core decides).

    ``imagings`` in date order, as the model orders them. Fewer than two studies: no progression.
    """
    grades = carried_bilsky(imagings)
    if len(imagings) < 2 or not grades[-2]:
        return False, ()
    previous = _core_imaging(imagings[-2], grades[-2])
    current = _core_imaging(imagings[-1], grades[-1])
    return progressed_within_6_weeks(previous, current), progression_changes(previous, current)


def case_evaluation_request(case: Case, lesions: Iterable[SpinalLesion] | None = None) -> dict:
    """The request body of ``evaluate_request`` for ``case``: its clinical picture and the latest
    imaging of each lesion (lesions without imaging are left out). Missing values are left out
    too, so the core names them rather than scoring them as 0."""
    patient: dict[str, Any] = {"primary_site": primary_site(case).value}
    receptors = {
        name: value
        for name in ("er", "pr", "her2", "ki67")
        if (value := getattr(case, name)) is not None
    }
    if receptors:
        patient["receptors"] = receptors
    for name in _PATIENT_FIELDS:
        value = getattr(case, name)
        if value is not None:
            patient[name] = value
    for name in _CHOICE_FIELDS:
        if getattr(case, name):
            patient[name] = getattr(case, name)
    if case.cdk46_inhibitor:
        patient["cdk46_inhibitor"] = True
    for name in ("bone_agent_last_dose", "planned_surgery_date"):
        value = getattr(case, name)
        if value is not None:
            patient[name] = value.isoformat()
    lesion_rows = []
    for lesion in lesions if lesions is not None else case.lesions.prefetch_related("imagings"):
        imagings = list(lesion.imagings.all())
        if not imagings:
            continue
        latest = imagings[-1]
        progressed, _changes = lesion_progression(imagings)
        lesion_rows.append(
            {
                "levels": list(lesion.levels),
                "pain": latest.pain,
                "bone_lesion": latest.bone_lesion,
                "alignment": latest.alignment,
                "collapse": latest.collapse,
                "posterolateral": latest.posterolateral,
                "bilsky": carried_bilsky(imagings)[-1],
                "progressed_within_6_weeks": progressed,
                "progressed_after_radiation": latest.progressed_after_radiation,
            }
        )
    return {"patient": patient, "lesions": lesion_rows}


_LESION_PATH = re.compile(r"^lesions\[(\d+)\]\.?(.*)$")


def case_field_errors(error: ScoringInputError, labels: list[str]) -> dict[str, list[str]]:
    """The core's errors keyed by case field: ``patient.kps`` -> ``kps``, ``patient.receptors.er``
    -> ``er``, ``patient.primary_site`` -> ``primary_status``; lesion errors go under ``lesions``
    with the lesion's label (``labels`` in request order)."""
    out: dict[str, list[str]] = {}
    for path, reasons in error.errors.items():
        key, prefix = path, ""
        for head in ("patient.receptors.", "patient.", "systemic."):
            if key.startswith(head):
                key = key[len(head):]
                break
        if key == "primary_site":
            key = "primary_status"
        if match := _LESION_PATH.match(path):
            index, field = int(match.group(1)), match.group(2)
            label = labels[index] if index < len(labels) else f"#{index + 1}"
            key, prefix = "lesions", f"lesion {label}: {field or 'lesion'}: "
        out.setdefault(key, []).extend(prefix + reason for reason in reasons)
    return out


def preoperative_timing_checks(case: Case, *, today: date | None = None) -> list[dict[str, str]]:
    """The surgical-timing checks of CLINICAL.md §10 for the case as it is now (the core's
    ``timing_checks``), with urgency and highest Bilsky from the latest assessment."""
    assessment = case.latest_assessment
    urgency = Urgency(assessment.urgency) if assessment and assessment.urgency else None
    max_bilsky = BilskyGrade(assessment.max_bilsky) if assessment else None
    try:
        subtype = derive_subtype(case)
    except ScoringInputError:
        subtype = MolecularSubtype.UNKNOWN
    checks = timing_checks(
        urgency=urgency,
        subtype=subtype,
        max_bilsky=max_bilsky,
        anc_per_mm3=case.anc_per_mm3,
        cdk46_inhibitor=case.cdk46_inhibitor,
        bone_modifying_agent=(
            BoneModifyingAgent(case.bone_modifying_agent) if case.bone_modifying_agent else None
        ),
        bone_agent_last_dose=case.bone_agent_last_dose,
        planned_surgery_date=case.planned_surgery_date,
        today=today or timezone.localdate(),
    )
    return [check.to_dict() for check in checks]
