"""Typed inputs of the scoring core: what the parser builds from JSON, and what the cases app
builds from stored rows. Frozen, so an assessment's inputs cannot change after it was scored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .enums import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    BoneModifyingAgent,
    Collapse,
    Frankel,
    MolecularSubtype,
    Pain,
    Posterolateral,
    PrimarySite,
    SpinalLevel,
    VisceralMetastases,
)


@dataclass(frozen=True, slots=True)
class Receptors:
    """Receptor status (CLINICAL.md §12); ``None`` means not tested or not known."""

    er: bool | None = None
    pr: bool | None = None
    her2: bool | None = None
    ki67: float | None = None  # percent of tumour cells, 0-100


@dataclass(frozen=True, slots=True)
class PatientInput:
    primary_site: PrimarySite
    frankel: Frankel
    extraspinal_bone_metastases: int
    vertebral_metastases: int
    visceral_metastases: VisceralMetastases
    kps: int | None = None
    ecog: int | None = None
    subtype: MolecularSubtype | None = None
    receptors: Receptors | None = None
    neurological_deficit: bool | None = None
    new_patient: bool | None = None
    new_or_progressive_back_pain: bool | None = None
    ambulatory: bool | None = None
    albumin_g_dl: float | None = None


@dataclass(frozen=True, slots=True)
class LesionInput:
    levels: tuple[SpinalLevel, ...]
    pain: Pain
    bone_lesion: BoneLesion
    alignment: Alignment
    collapse: Collapse
    posterolateral: Posterolateral
    bilsky: BilskyGrade
    progressed_within_6_weeks: bool | None = None
    progressed_after_radiation: bool | None = None


@dataclass(frozen=True, slots=True)
class SystemicTherapy:
    """Systemic-therapy state for the surgical-timing checks (CLINICAL.md §10); all optional."""

    anc_per_mm3: int | None = None
    cdk46_inhibitor: bool | None = None
    bone_modifying_agent: BoneModifyingAgent | None = None
    bone_agent_last_dose: date | None = None
    planned_surgery_date: date | None = None


@dataclass(frozen=True, slots=True)
class EvaluationInput:
    patient: PatientInput
    lesions: tuple[LesionInput, ...]
    systemic: SystemicTherapy = field(default_factory=SystemicTherapy)

    def to_request(self) -> dict[str, object]:
        """The JSON request body that parses back to this input (absent values left out), so a
        stored assessment keeps the exact inputs it was scored from."""
        patient = _present(
            {name: getattr(self.patient, name) for name in PatientInput.__dataclass_fields__}
        )
        if self.patient.receptors is not None:
            receptors = self.patient.receptors
            patient["receptors"] = _present(
                {name: getattr(receptors, name) for name in Receptors.__dataclass_fields__}
            )
        patient.update(
            _present(
                {
                    name: getattr(self.systemic, name)
                    for name in SystemicTherapy.__dataclass_fields__
                }
            )
        )
        lesions = []
        for lesion in self.lesions:
            item = _present(
                {name: getattr(lesion, name) for name in LesionInput.__dataclass_fields__}
            )
            item["levels"] = [str(level) for level in lesion.levels]
            lesions.append(item)
        return {"patient": patient, "lesions": lesions}


def _present(values: dict[str, object]) -> dict[str, object]:
    """JSON values of the given fields: enums as their strings, dates in ISO form, ``None`` left
    out."""
    out: dict[str, object] = {}
    for name, value in values.items():
        if value is None or isinstance(value, Receptors):
            continue
        if isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, str):
            out[name] = str(value)
        else:
            out[name] = value
    return out


@dataclass(frozen=True, slots=True)
class LesionImaging:
    """One imaging study of one lesion, for progression on serial imaging (DESIGN.md, Domain)."""

    imaged_on: date | None
    collapse: Collapse
    alignment: Alignment
    posterolateral: Posterolateral
    bilsky: BilskyGrade
    bone_lesion: BoneLesion
