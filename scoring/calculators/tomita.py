"""Tomita score (CLINICAL.md §4).

Tomita K et al. Surgical strategy for spinal metastases. Spine 2001;26(3):298-306. Range 2-10,
higher is worse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Final, NoReturn

from .checks import count_error, lookup_error, points
from .enums import PrimarySite, TomitaGoal, TomitaGrowth, VisceralMetastases
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .version import RULES_VERSION

TOMITA_REFERENCE: Final = "Tomita K et al., Spine 2001;26(3):298-306; CLINICAL.md §4"

_P = PrimarySite
#: Growth class of each primary. Breast, thyroid, prostate, kidney, uterus, lung, stomach and liver
#: are Tomita's; the other sites are service *policy* (§4): carcinoid slow, the rest rapid.
TOMITA_GROWTH_CLASS: Final = MappingProxyType(
    {
        _P.BREAST: TomitaGrowth.SLOW, _P.THYROID: TomitaGrowth.SLOW,
        _P.PROSTATE: TomitaGrowth.SLOW, _P.CARCINOID: TomitaGrowth.SLOW,
        _P.KIDNEY: TomitaGrowth.MODERATE, _P.UTERUS: TomitaGrowth.MODERATE,
        _P.LUNG: TomitaGrowth.RAPID, _P.STOMACH: TomitaGrowth.RAPID, _P.LIVER: TomitaGrowth.RAPID,
        _P.ESOPHAGUS: TomitaGrowth.RAPID, _P.PANCREAS: TomitaGrowth.RAPID,
        _P.GALLBLADDER: TomitaGrowth.RAPID, _P.BLADDER: TomitaGrowth.RAPID,
        _P.OSTEOSARCOMA: TomitaGrowth.RAPID, _P.RECTUM: TomitaGrowth.RAPID,
        _P.OTHER: TomitaGrowth.RAPID, _P.UNKNOWN: TomitaGrowth.RAPID,
    }
)  # fmt: skip
#: Rapid growth is 4 as in the original (some reviews print 3).
TOMITA_GROWTH_POINTS: Final = MappingProxyType(
    {TomitaGrowth.SLOW: 1, TomitaGrowth.MODERATE: 2, TomitaGrowth.RAPID: 4}
)
#: *Policy* (§4, one visceral input for both scores): none 0, removable 2, treatable 2,
#: untreatable 4.
TOMITA_VISCERAL_POINTS: Final = MappingProxyType(
    {
        VisceralMetastases.NONE: 0,
        VisceralMetastases.REMOVABLE: 2,
        VisceralMetastases.TREATABLE: 2,
        VisceralMetastases.UNTREATABLE: 4,
    }
)
TOMITA_SOLITARY_POINTS: Final = 1
TOMITA_MULTIPLE_POINTS: Final = 2


def tomita_goal(total: int) -> TomitaGoal:
    """2-3 long-term local control, 4-5 middle-term, 6-7 short-term palliation, 8-10 terminal."""
    if total <= 3:
        return TomitaGoal.LONG_TERM_LOCAL_CONTROL
    if total <= 5:
        return TomitaGoal.MIDDLE_TERM_LOCAL_CONTROL
    return TomitaGoal.SHORT_TERM_PALLIATION if total <= 7 else TomitaGoal.TERMINAL_CARE


_GOAL_TEXT: Final = {
    TomitaGoal.LONG_TERM_LOCAL_CONTROL: "long-term local control, wide or marginal excision "
    "(e.g. en bloc spondylectomy)",
    TomitaGoal.MIDDLE_TERM_LOCAL_CONTROL: "middle-term local control, marginal or "
    "intralesional excision",
    TomitaGoal.SHORT_TERM_PALLIATION: "short-term palliation, palliative surgery",
    TomitaGoal.TERMINAL_CARE: "terminal care, non-operative supportive care",
}
_TOTAL_TEXT: Final = {
    total: f"Tomita {total} of 10: {_GOAL_TEXT[tomita_goal(total)]}." for total in range(2, 11)
}
_GROWTH_TEXT: Final = {
    site: f"Primary {site.value}, {growth.value} growth: {points(TOMITA_GROWTH_POINTS[growth])}."
    for site, growth in TOMITA_GROWTH_CLASS.items()
}
_VISCERAL_TEXT: Final = {
    VisceralMetastases.NONE: "No visceral metastases: 0 points.",
    VisceralMetastases.REMOVABLE: "Visceral metastases, removable (treatable): 2 points.",
    VisceralMetastases.TREATABLE: "Visceral metastases, treatable: 2 points.",
    VisceralMetastases.UNTREATABLE: "Visceral metastases, untreatable: 4 points.",
}
_SOLITARY_TEXT: Final = "Solitary bone metastasis in the whole skeleton: 1 point."


@lru_cache(maxsize=256)
def _multiple_text(count: int) -> str:
    """Built once per count (an exact int: checked before)."""
    return f"Multiple bone metastases ({count} in all): 2 points."


@fast_init
@dataclass(frozen=True, slots=True)
class TomitaResult:
    total: int
    band: TomitaGoal
    components: dict[str, int]
    rationale: tuple[str, ...]
    growth: TomitaGrowth
    reference: str = TOMITA_REFERENCE
    rules_version: str = RULES_VERSION

    @property
    def goal(self) -> TomitaGoal:
        return self.band

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "goal": self.band.value,
            "components": dict(self.components),
            "growth": self.growth.value,
            "rationale": list(self.rationale),
            "reference": self.reference,
        }


def tomita(
    *,
    primary_site: PrimarySite,
    visceral_metastases: VisceralMetastases,
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
) -> TomitaResult:
    """Tomita score (CLINICAL.md §4; Tomita 2001).

    Bone metastases count the whole skeleton, spine included: ``vertebral_metastases`` plus
    ``extraspinal_bone_metastases``, solitary when that is exactly one (§4 policy).
    """
    try:
        growth = TOMITA_GROWTH_CLASS[primary_site]
        visceral_points = TOMITA_VISCERAL_POINTS[visceral_metastases]
        if type(vertebral_metastases) is not int or type(extraspinal_bone_metastases) is not int:
            raise TypeError
        if vertebral_metastases < 1 or extraspinal_bone_metastases < 0:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise_burden_error(
            primary_site, visceral_metastases, vertebral_metastases, extraspinal_bone_metastases
        )
    bones = vertebral_metastases + extraspinal_bone_metastases
    solitary = bones == 1
    components = {
        "primary_growth": TOMITA_GROWTH_POINTS[growth],
        "visceral_metastases": visceral_points,
        "bone_metastases": TOMITA_SOLITARY_POINTS if solitary else TOMITA_MULTIPLE_POINTS,
    }
    total = sum(components.values())
    return TomitaResult(
        total=total,
        band=tomita_goal(total),
        components=components,
        rationale=(
            _GROWTH_TEXT[primary_site],
            _VISCERAL_TEXT[visceral_metastases],
            _SOLITARY_TEXT if solitary else _multiple_text(bones),
            _TOTAL_TEXT[total],
        ),
        growth=growth,
    )


def raise_burden_error(
    primary_site: object, visceral: object, vertebral: object, extraspinal: object
) -> NoReturn:
    """The errors of the four inputs that Tomita and modified Bauer share."""
    bag = ErrorBag()
    if reason := lookup_error(primary_site, TOMITA_GROWTH_CLASS, PrimarySite):
        bag.add("primary_site", reason)
    if reason := lookup_error(visceral, TOMITA_VISCERAL_POINTS, VisceralMetastases):
        bag.add("visceral_metastases", reason)
    if reason := count_error(vertebral, 1):
        bag.add("vertebral_metastases", reason)
    if reason := count_error(extraspinal, 0):
        bag.add("extraspinal_bone_metastases", reason)
    raise ScoringInputError(bag.errors or {"non_field_errors": ["cannot be scored"]})
