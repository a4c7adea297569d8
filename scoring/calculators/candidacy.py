"""Surgery candidacy checklist (CLINICAL.md §11; S1, principles of surgical treatment of bone
metastases).

Each of the six principles is met (true), not met (false) or not told by the inputs (null), with the
evidence, for the MDT to weigh: the checklist supports the decision, it does not make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from .checks import KPS_VALUES, count_error, kps_error
from .enums import CandidacyCode
from .errors import ErrorBag, ScoringInputError
from .version import RULES_VERSION

CANDIDACY_REFERENCE: Final = "S1 (principles of surgery for bone metastases); CLINICAL.md §11"

_C = CandidacyCode
CANDIDACY_LABELS: Final = MappingProxyType(
    {
        _C.EXPECTED_SURVIVAL_OVER_3_MONTHS: "Expected survival over 3 months",
        _C.GENERAL_CONDITION_TOLERATES_SURGERY: "General condition tolerates surgery and "
        "anaesthesia",
        _C.BETTER_QUALITY_OF_LIFE_AND_MOBILITY: "Better quality of life and mobility expected "
        "after surgery",
        _C.LONG_TUMOUR_FREE_SURVIVAL: "Long tumour-free survival expected after treatment of the "
        "primary",
        _C.ISOLATED_BONE_METASTASIS: "Isolated bone metastasis",
        _C.HIGH_PATHOLOGICAL_FRACTURE_RISK: "High risk of pathological fracture",
    }
)
#: *Service policy v1*, thresholds for the checklist:
#: - survival over 3 months is met when Tokuhashi predicts 6 months or more (9 or more); not met
#:   when Tokuhashi predicts under 6 months (8 or less) *and* Tomita points to terminal care
#:   (8 or more); otherwise the scores do not tell (under 6 months may still be over 3).
#: - general condition is met from KPS 50, the NOMS "fit" threshold of §7.
#: - fracture risk is high from SINS 7 (potentially unstable or unstable, §1).
CANDIDACY_POLICY: Final = MappingProxyType(
    {
        "survival_met_from_tokuhashi": 9,
        "survival_not_met_up_to_tokuhashi": 8,
        "survival_not_met_from_tomita": 8,
        "general_condition_min_kps": 50,
        "fracture_risk_min_sins": 7,
    }
)


@dataclass(frozen=True, slots=True)
class CandidacyItem:
    code: CandidacyCode
    label: str
    met: bool | None
    evidence: str
    reference: str = CANDIDACY_REFERENCE
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code.value,
            "label": self.label,
            "met": self.met,
            "evidence": self.evidence,
        }


def _item(code: CandidacyCode, met: bool | None, evidence: str) -> CandidacyItem:
    return CandidacyItem(code=code, label=CANDIDACY_LABELS[code], met=met, evidence=evidence)


_QUALITY_OF_LIFE: Final = _item(
    _C.BETTER_QUALITY_OF_LIFE_AND_MOBILITY,
    None,
    "Not told by the scores: the MDT judges expected function and mobility after surgery.",
)
_TUMOUR_FREE: Final = _item(
    _C.LONG_TUMOUR_FREE_SURVIVAL,
    None,
    "Not told by the scores: depends on control of the primary and the systemic plan.",
)


def candidacy(
    *,
    tokuhashi_total: int,
    tomita_total: int,
    kps: int,
    kps_from_ecog: bool = False,
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
    max_sins: int,
) -> tuple[CandidacyItem, ...]:
    """The six principles of S1 as a checklist (CLINICAL.md §11), thresholds per
    ``CANDIDACY_POLICY``. Quality of life and tumour-free survival are not told by the inputs."""
    _check(tokuhashi_total, tomita_total, kps, kps_from_ecog, vertebral_metastases,
           extraspinal_bone_metastases, max_sins)  # fmt: skip
    # Checked to exact types above, so equal keys are equal inputs. Each item is cached on the
    # one or two values it reads (a few hundred combinations in all); the whole checklist keyed on
    # all seven would be a cache per case (measured: 9 % hits on a stream of fresh cases).
    return (
        _survival(tokuhashi_total, tomita_total),
        _general_condition(kps, kps_from_ecog),
        _QUALITY_OF_LIFE,
        _TUMOUR_FREE,
        _isolated(vertebral_metastases, extraspinal_bone_metastases),
        _fracture_risk(max_sins),
    )


@lru_cache(maxsize=256)
def _survival(tokuhashi_total: int, tomita_total: int) -> CandidacyItem:
    survival_met: bool | None
    if tokuhashi_total >= CANDIDACY_POLICY["survival_met_from_tokuhashi"]:
        survival_met = True
        survival = f"Tokuhashi {tokuhashi_total} predicts 6 months or more"
    elif (
        tokuhashi_total <= CANDIDACY_POLICY["survival_not_met_up_to_tokuhashi"]
        and tomita_total >= CANDIDACY_POLICY["survival_not_met_from_tomita"]
    ):
        survival_met = False
        survival = (
            f"Tokuhashi {tokuhashi_total} predicts under 6 months and Tomita {tomita_total} "
            "points to terminal care"
        )
    else:
        survival_met = None
        survival = (
            f"Tokuhashi {tokuhashi_total} predicts under 6 months, Tomita {tomita_total}: "
            "whether over 3 months is not told"
        )
    return _item(_C.EXPECTED_SURVIVAL_OVER_3_MONTHS, survival_met, survival + ".")


@lru_cache(maxsize=64)
def _general_condition(kps: int, kps_from_ecog: bool) -> CandidacyItem:
    kps_text = f"KPS {kps}" + (" (from ECOG)" if kps_from_ecog else "")
    condition_met = kps >= CANDIDACY_POLICY["general_condition_min_kps"]
    return _item(
        _C.GENERAL_CONDITION_TOLERATES_SURGERY,
        condition_met,
        f"{kps_text}: {'50 or more' if condition_met else 'under 50'}.",
    )


@lru_cache(maxsize=1024)
def _isolated(vertebral_metastases: int, extraspinal_bone_metastases: int) -> CandidacyItem:
    bones = vertebral_metastases + extraspinal_bone_metastases
    return _item(
        _C.ISOLATED_BONE_METASTASIS,
        bones == 1,
        "One bone metastasis in the skeleton."
        if bones == 1
        else f"{bones} bone metastases ({vertebral_metastases} vertebral, "
        f"{extraspinal_bone_metastases} extraspinal).",
    )


@lru_cache(maxsize=32)
def _fracture_risk(max_sins: int) -> CandidacyItem:
    fracture_met = max_sins >= CANDIDACY_POLICY["fracture_risk_min_sins"]
    return _item(
        _C.HIGH_PATHOLOGICAL_FRACTURE_RISK,
        fracture_met,
        f"Highest SINS {max_sins}: "
        + ("7 or more, potentially unstable or unstable." if fracture_met else "stable (0-6)."),
    )


def _check(
    tokuhashi_total: object,
    tomita_total: object,
    kps: object,
    kps_from_ecog: object,
    vertebral: object,
    extraspinal: object,
    max_sins: object,
) -> None:
    if (
        type(tokuhashi_total) is int
        and 0 <= tokuhashi_total <= 15
        and type(tomita_total) is int
        and 2 <= tomita_total <= 10
        and type(kps) is int
        and kps in KPS_VALUES
        and (kps_from_ecog is True or kps_from_ecog is False)
        and type(vertebral) is int
        and vertebral >= 1
        and type(extraspinal) is int
        and extraspinal >= 0
        and type(max_sins) is int
        and 0 <= max_sins <= 18
    ):
        return
    bag = ErrorBag()
    if type(tokuhashi_total) is not int or not 0 <= tokuhashi_total <= 15:
        bag.add("tokuhashi_total", "must be an integer between 0 and 15")
    if type(tomita_total) is not int or not 2 <= tomita_total <= 10:
        bag.add("tomita_total", "must be an integer between 2 and 10")
    if reason := kps_error(kps):
        bag.add("kps", reason)
    if kps_from_ecog is not True and kps_from_ecog is not False:
        bag.add("kps_from_ecog", "expected a boolean (true or false)")
    if reason := count_error(vertebral, 1):
        bag.add("vertebral_metastases", reason)
    if reason := count_error(extraspinal, 0):
        bag.add("extraspinal_bone_metastases", reason)
    if type(max_sins) is not int or not 0 <= max_sins <= 18:
        bag.add("max_sins", "must be an integer between 0 and 18")
    if bag:
        raise ScoringInputError(bag.errors)
