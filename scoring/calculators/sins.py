"""Spinal Instability Neoplastic Score (CLINICAL.md §1).

Fisher CG et al. A novel classification system for spinal instability in neoplastic disease.
Spine 2010;35(22):E1221-9 (Spine Oncology Study Group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .checks import lookup_error
from .checks import points as _points
from .enums import Alignment, BoneLesion, Collapse, Pain, Posterolateral, SinsBand, SpinalLevel
from .errors import ScoringInputError
from .frozen import fast_init
from .levels import LEVEL_BY_NAME, LEVELS, format_levels, levels_errors
from .version import RULES_VERSION

SINS_REFERENCE: Final = "Fisher CG et al., Spine 2010;35(22):E1221-9 (SINS); CLINICAL.md §1"

_REGION_POINTS: Final = {"junctional": 3, "mobile": 2, "semi-rigid": 1, "rigid": 0}
_JUNCTIONAL: Final = frozenset(["C0", "C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"])
_MOBILE: Final = frozenset(["C3", "C4", "C5", "C6", "L2", "L3", "L4"])
_SEMI_RIGID: Final = frozenset(f"T{n}" for n in range(3, 11))


def _region(level: SpinalLevel) -> str:
    if level in _JUNCTIONAL:
        return "junctional"
    if level in _MOBILE:
        return "mobile"
    return "semi-rigid" if level in _SEMI_RIGID else "rigid"


#: Location region of each level (occiput-C2, C7-T2, T11-L1, L5-S1 junctional; C3-C6, L2-L4
#: mobile; T3-T10 semi-rigid; S2-S5 rigid).
SINS_LOCATION_REGION: Final = MappingProxyType({level: _region(level) for level in LEVELS})
SINS_LOCATION_POINTS: Final = MappingProxyType(
    {level: _REGION_POINTS[region] for level, region in SINS_LOCATION_REGION.items()}
)
SINS_PAIN_POINTS: Final = MappingProxyType({Pain.MECHANICAL: 3, Pain.OCCASIONAL: 1, Pain.NONE: 0})
SINS_BONE_LESION_POINTS: Final = MappingProxyType(
    {BoneLesion.LYTIC: 2, BoneLesion.MIXED: 1, BoneLesion.BLASTIC: 0}
)
SINS_ALIGNMENT_POINTS: Final = MappingProxyType(
    {Alignment.SUBLUXATION: 4, Alignment.DEFORMITY: 2, Alignment.NORMAL: 0}
)
SINS_COLLAPSE_POINTS: Final = MappingProxyType(
    {Collapse.OVER_50: 3, Collapse.UNDER_50: 2, Collapse.INVOLVED_OVER_50: 1, Collapse.NONE: 0}
)
SINS_POSTEROLATERAL_POINTS: Final = MappingProxyType(
    {Posterolateral.BILATERAL: 3, Posterolateral.UNILATERAL: 1, Posterolateral.NONE: 0}
)


def sins_band(total: int) -> SinsBand:
    """0-6 stable, 7-12 indeterminate (potentially unstable), 13-18 unstable."""
    if total <= 6:
        return SinsBand.STABLE
    return SinsBand.INDETERMINATE if total <= 12 else SinsBand.UNSTABLE


# Sentences are built once: evaluate() runs per request and per agenda rebuild.
_LOCATION_TEXT: Final = {
    level: f"Location {level} ({SINS_LOCATION_REGION[level]}): {_points(points)}."
    for level, points in SINS_LOCATION_POINTS.items()
}
_PAIN_TEXT: Final = {
    Pain.MECHANICAL: "Mechanical pain (eases lying down, or with movement or loading): 3 points.",
    Pain.OCCASIONAL: "Occasional, non-mechanical pain: 1 point.",
    Pain.NONE: "Pain-free lesion: 0 points.",
}
_BONE_TEXT: Final = {
    BoneLesion.LYTIC: "Lytic bone lesion: 2 points.",
    BoneLesion.MIXED: "Mixed lytic/blastic bone lesion: 1 point.",
    BoneLesion.BLASTIC: "Blastic bone lesion: 0 points.",
}
_ALIGNMENT_TEXT: Final = {
    Alignment.SUBLUXATION: "Subluxation or translation: 4 points.",
    Alignment.DEFORMITY: "De novo deformity (kyphosis or scoliosis): 2 points.",
    Alignment.NORMAL: "Normal alignment: 0 points.",
}
_COLLAPSE_TEXT: Final = {
    Collapse.OVER_50: "Vertebral body collapse over 50 %: 3 points.",
    Collapse.UNDER_50: "Vertebral body collapse under 50 %: 2 points.",
    Collapse.INVOLVED_OVER_50: "No collapse, over 50 % of the body involved: 1 point.",
    Collapse.NONE: "No collapse and under 50 % of the body involved: 0 points.",
}
_POSTEROLATERAL_TEXT: Final = {
    Posterolateral.BILATERAL: "Bilateral posterolateral involvement: 3 points.",
    Posterolateral.UNILATERAL: "Unilateral posterolateral involvement: 1 point.",
    Posterolateral.NONE: "No posterolateral involvement: 0 points.",
}
_BAND_TEXT: Final = {
    SinsBand.STABLE: "stable",
    SinsBand.INDETERMINATE: "indeterminate, potentially unstable: surgical consultation",
    SinsBand.UNSTABLE: "unstable: stabilisation required",
}
_TOTAL_TEXT: Final = tuple(
    f"SINS {total} of 18: {_BAND_TEXT[sins_band(total)]}." for total in range(19)
)
_BANDS: Final = tuple(sins_band(total) for total in range(19))


@fast_init
@dataclass(frozen=True, slots=True)
class SinsResult:
    total: int
    band: SinsBand
    components: dict[str, int]
    rationale: tuple[str, ...]
    levels: tuple[SpinalLevel, ...]
    location_level: SpinalLevel
    reference: str = SINS_REFERENCE
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "band": self.band.value,
            "components": dict(self.components),
            "rationale": list(self.rationale),
            "reference": self.reference,
        }


def sins(
    *,
    levels: Sequence[SpinalLevel],
    pain: Pain,
    bone_lesion: BoneLesion,
    alignment: Alignment,
    collapse: Collapse,
    posterolateral: Posterolateral,
) -> SinsResult:
    """SINS of one lesion (CLINICAL.md §1; Fisher 2010).

    *Policy* (§1): a lesion spanning several levels takes the highest location points among them.
    Raises ``ScoringInputError`` naming each missing or unknown field.
    """
    try:
        if len(levels) == 1 and not isinstance(levels, str):
            location_level = levels[0]
        elif len(set(levels)) != len(levels) or isinstance(levels, str):
            raise ValueError
        else:
            location_level = max(levels, key=SINS_LOCATION_POINTS.__getitem__)
        location = SINS_LOCATION_POINTS[location_level]
        components = {
            "location": location,
            "pain": SINS_PAIN_POINTS[pain],
            "bone_lesion": SINS_BONE_LESION_POINTS[bone_lesion],
            "alignment": SINS_ALIGNMENT_POINTS[alignment],
            "collapse": SINS_COLLAPSE_POINTS[collapse],
            "posterolateral": SINS_POSTEROLATERAL_POINTS[posterolateral],
        }
    except (KeyError, TypeError, ValueError):
        raise _input_error(levels, pain, bone_lesion, alignment, collapse, posterolateral) from None
    total = sum(components.values())
    if len(levels) == 1:
        location_text = _LOCATION_TEXT[location_level]
    else:
        location_text = (
            f"Location {format_levels(levels)}: highest points at {location_level} "
            f"({SINS_LOCATION_REGION[location_level]}): {_points(location)}."
        )
    return SinsResult(
        total=total,
        band=_BANDS[total],
        components=components,
        rationale=(
            location_text,
            _PAIN_TEXT[pain],
            _BONE_TEXT[bone_lesion],
            _ALIGNMENT_TEXT[alignment],
            _COLLAPSE_TEXT[collapse],
            _POSTEROLATERAL_TEXT[posterolateral],
            _TOTAL_TEXT[total],
        ),
        levels=tuple(map(LEVEL_BY_NAME.__getitem__, levels)),
        location_level=LEVEL_BY_NAME[location_level],
    )


def _input_error(
    levels: object,
    pain: object,
    bone_lesion: object,
    alignment: object,
    collapse: object,
    posterolateral: object,
) -> ScoringInputError:
    errors = levels_errors(levels)
    for name, value, table, enum in (
        ("pain", pain, SINS_PAIN_POINTS, Pain),
        ("bone_lesion", bone_lesion, SINS_BONE_LESION_POINTS, BoneLesion),
        ("alignment", alignment, SINS_ALIGNMENT_POINTS, Alignment),
        ("collapse", collapse, SINS_COLLAPSE_POINTS, Collapse),
        ("posterolateral", posterolateral, SINS_POSTEROLATERAL_POINTS, Posterolateral),
    ):
        reason = lookup_error(value, table, enum)
        if reason is not None:
            errors[name] = [reason]
    return ScoringInputError(errors or {"levels": ["cannot be scored"]})
