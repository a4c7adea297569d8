"""Referral triggers in both directions (CLINICAL.md §8).

Breast oncosurgeon to neurosurgeon: S2 §6.1. Neurosurgeon to breast oncosurgeon: S2 §3.1 and
Table 1 (a spinal lesion without a known primary). Evidence names levels and values only, never a
patient identifier, because it travels in alerts and e-mails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .bilsky import BILSKY_RANK
from .checks import bool_error, count_error, enum_error
from .enums import (
    BilskyGrade,
    Frankel,
    PrimarySite,
    ReferralDirection,
    SpinalLevel,
    TriggerCode,
)
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .levels import format_levels, levels_errors
from .performance import FRANKEL_DEFICIT

TRIGGERS_REFERENCE: Final = "S2 §6.1, §3.1 and Table 1; CLINICAL.md §8"
SINS_REFERRAL_THRESHOLD: Final = 7
_EPIDURAL_FROM: Final = BILSKY_RANK[BilskyGrade.GRADE_1A]

#: The occult-primary work-up that a neuro-to-breast referral carries (§8, S2 §3.1).
OCCULT_PRIMARY_WORKUP: Final = (
    "History: breast lumps or biopsies, nipple discharge, axillary swelling, BRCA family history.",
    "Bilateral breast, axillary and supraclavicular examination.",
    "PET-CT or bone scintigraphy.",
    "Serum CA 15-3, CEA and alkaline phosphatase.",
    "Bilateral mammography and ultrasound.",
    "Spinal biopsy when histology is needed.",
)
TRIGGER_DIRECTION: Final = {
    code: ReferralDirection.NEURO_TO_BREAST
    if code is TriggerCode.OCCULT_PRIMARY
    else ReferralDirection.BREAST_TO_NEURO
    for code in TriggerCode
}


@fast_init
@dataclass(frozen=True, slots=True)
class LesionFindings:
    """What the triggers need of a lesion: its levels, SINS total, Bilsky grade, progression."""

    levels: tuple[SpinalLevel, ...]
    sins_total: int
    bilsky: BilskyGrade
    progressed_within_6_weeks: bool = False


@fast_init
@dataclass(frozen=True, slots=True)
class Trigger:
    code: TriggerCode
    direction: ReferralDirection
    evidence: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code.value,
            "direction": self.direction.value,
            "evidence": self.evidence,
        }


def _trigger(code: TriggerCode, evidence: str) -> Trigger:
    return Trigger(code=code, direction=TRIGGER_DIRECTION[code], evidence=evidence)


def _neurological_deficit(frankel: Frankel, stated: bool) -> Trigger:
    reasons = []
    if frankel in FRANKEL_DEFICIT:
        reasons.append(f"Frankel {frankel}")
    if stated:
        reasons.append("limb weakness, sensory loss or sphincter dysfunction reported")
    return _trigger(
        TriggerCode.NEUROLOGICAL_DEFICIT, "Neurological deficit: " + "; ".join(reasons) + "."
    )


# The triggers whose evidence names no level or value are built once and shared (frozen).
_BACK_PAIN: Final = _trigger(
    TriggerCode.BACK_PAIN, "New or progressive back pain with known breast cancer."
)
_NEUROLOGICAL_DEFICIT: Final = {
    (frankel, stated): _neurological_deficit(frankel, stated)
    for frankel in Frankel
    for stated in (False, True)
}
_OCCULT_PRIMARY: Final = _trigger(
    TriggerCode.OCCULT_PRIMARY,
    "Spinal metastasis without a known primary: breast work-up (history, breast and axillary "
    "examination, PET-CT or bone scan, CA 15-3, CEA, ALP, mammography and ultrasound, biopsy).",
)


def triggers(
    *,
    primary_site: PrimarySite,
    frankel: Frankel,
    lesions: Sequence[LesionFindings],
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
    neurological_deficit: bool | None = None,
    new_or_progressive_back_pain: bool | None = None,
    new_patient: bool | None = None,
) -> tuple[Trigger, ...]:
    """Every referral trigger that fires, in the order of CLINICAL.md §8 (S2 §6.1; S2 §3.1 and
    Table 1 for ``occult_primary``), each with its evidence.

    The optional flags are facts reported by a clinician: absent means not reported, so the
    trigger does not fire. ``neurological_deficit`` is a stated limb weakness, sensory loss or
    sphincter dysfunction; Frankel A-D is a deficit too (§6).
    """
    _check(
        primary_site, frankel, lesions, vertebral_metastases, extraspinal_bone_metastases,
        neurological_deficit, new_or_progressive_back_pain, new_patient,
    )  # fmt: skip
    return triggers_unchecked(
        primary_site=primary_site, frankel=frankel, lesions=lesions,
        vertebral_metastases=vertebral_metastases,
        extraspinal_bone_metastases=extraspinal_bone_metastases,
        neurological_deficit=neurological_deficit,
        new_or_progressive_back_pain=new_or_progressive_back_pain, new_patient=new_patient,
    )  # fmt: skip


def triggers_unchecked(
    *,
    primary_site: PrimarySite,
    frankel: Frankel,
    lesions: Sequence[LesionFindings],
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
    neurological_deficit: bool | None = None,
    new_or_progressive_back_pain: bool | None = None,
    new_patient: bool | None = None,
) -> tuple[Trigger, ...]:
    """``triggers`` without its input checks, for ``evaluate``: its findings come from the lesion
    scores and its patient fields were checked by the calculators that ran before."""
    fired: list[Trigger] = []
    if new_or_progressive_back_pain is True and primary_site == PrimarySite.BREAST:
        fired.append(_BACK_PAIN)
    sins_hits = [lesion for lesion in lesions if lesion.sins_total >= SINS_REFERRAL_THRESHOLD]
    if sins_hits:
        fired.append(
            _trigger(
                TriggerCode.SINS_7_OR_MORE,
                "; ".join(
                    f"SINS {lesion.sins_total} at {format_levels(lesion.levels)}"
                    for lesion in sins_hits
                )
                + " (7 or more).",
            )
        )
    epidural = [lesion for lesion in lesions if BILSKY_RANK[lesion.bilsky] >= _EPIDURAL_FROM]
    if epidural:
        fired.append(
            _trigger(
                TriggerCode.EPIDURAL_EXTENSION,
                "; ".join(
                    f"Bilsky {lesion.bilsky} at {format_levels(lesion.levels)}"
                    for lesion in epidural
                )
                + " (epidural extension from 1a).",
            )
        )
    if frankel in FRANKEL_DEFICIT or neurological_deficit is True:
        fired.append(_NEUROLOGICAL_DEFICIT[frankel, neurological_deficit is True])
    progressed = [lesion for lesion in lesions if lesion.progressed_within_6_weeks is True]
    if progressed:
        fired.append(
            _trigger(
                TriggerCode.RAPID_PROGRESSION,
                "Vertebral destruction progressed within 6 weeks at "
                + "; ".join(format_levels(lesion.levels) for lesion in progressed)
                + ".",
            )
        )
    if new_patient is True and vertebral_metastases == 1 and extraspinal_bone_metastases == 0:
        levels = format_levels(level for lesion in lesions for level in lesion.levels)
        fired.append(
            _trigger(
                TriggerCode.ISOLATED_LESION,
                f"Isolated spinal lesion at {levels} in a new patient, no other bone metastasis: "
                "the biopsy decision needs neurosurgery.",
            )
        )
    if primary_site == PrimarySite.UNKNOWN:
        fired.append(_OCCULT_PRIMARY)
    return tuple(fired)


def _flag(value: object) -> bool:
    return value is None or value is True or value is False


def _well_typed(
    primary_site: object,
    frankel: object,
    lesions: object,
    vertebral: object,
    extraspinal: object,
    neurological_deficit: object,
    back_pain: object,
    new_patient: object,
) -> bool:
    """The common case, exact types throughout, checked without building any message."""
    if not (
        type(primary_site) is PrimarySite
        and type(frankel) is Frankel
        and type(vertebral) is int
        and vertebral >= 1
        and type(extraspinal) is int
        and extraspinal >= 0
        and _flag(neurological_deficit)
        and _flag(back_pain)
        and _flag(new_patient)
        and isinstance(lesions, list | tuple)
    ):
        return False
    for lesion in lesions:
        if not (
            type(lesion) is LesionFindings
            and type(lesion.levels) is tuple
            and lesion.levels
            and all(type(level) is SpinalLevel for level in lesion.levels)
            and len(set(lesion.levels)) == len(lesion.levels)
            and type(lesion.sins_total) is int
            and 0 <= lesion.sins_total <= 18
            and type(lesion.bilsky) is BilskyGrade
            and (lesion.progressed_within_6_weeks is True
                 or lesion.progressed_within_6_weeks is False)
        ):  # fmt: skip
            return False
    return True


def _check(
    primary_site: object,
    frankel: object,
    lesions: object,
    vertebral: object,
    extraspinal: object,
    neurological_deficit: object,
    back_pain: object,
    new_patient: object,
) -> None:
    if _well_typed(
        primary_site, frankel, lesions, vertebral, extraspinal, neurological_deficit, back_pain,
        new_patient,
    ):  # fmt: skip
        return
    bag = ErrorBag()
    if reason := enum_error(primary_site, PrimarySite):
        bag.add("primary_site", reason)
    if reason := enum_error(frankel, Frankel):
        bag.add("frankel", reason)
    if reason := count_error(vertebral, 1):
        bag.add("vertebral_metastases", reason)
    if reason := count_error(extraspinal, 0):
        bag.add("extraspinal_bone_metastases", reason)
    for name, flag in (
        ("neurological_deficit", neurological_deficit),
        ("new_or_progressive_back_pain", back_pain),
        ("new_patient", new_patient),
    ):
        if flag is not None and (reason := bool_error(flag)):
            bag.add(name, reason)
    if not isinstance(lesions, Sequence) or isinstance(lesions, str):
        bag.add("lesions", "expected a list of lesion findings")
    else:
        for index, lesion in enumerate(lesions):
            path = f"lesions[{index}]"
            if not isinstance(lesion, LesionFindings):
                bag.add(path, "expected LesionFindings")
                continue
            for key, reasons in levels_errors(lesion.levels).items():
                for reason in reasons:
                    bag.add(f"{path}.{key}", reason)
            if type(lesion.sins_total) is not int or not 0 <= lesion.sins_total <= 18:
                bag.add(f"{path}.sins_total", "must be an integer between 0 and 18")
            if reason := enum_error(lesion.bilsky, BilskyGrade):
                bag.add(f"{path}.bilsky", reason)
            if reason := bool_error(lesion.progressed_within_6_weeks):
                bag.add(f"{path}.progressed_within_6_weeks", reason)
    if bag:
        raise ScoringInputError(bag.errors)
