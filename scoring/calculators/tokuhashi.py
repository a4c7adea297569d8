"""Revised Tokuhashi score, 2005, with the 2014 triple-negative variant (CLINICAL.md §3).

Tokuhashi Y et al. A revised scoring system for preoperative evaluation of metastatic spine tumor
prognosis. Spine 2005;30(19):2186-91. Range 0-15, higher is better.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from .checks import count_error, lookup_error, points
from .enums import Frankel, MolecularSubtype, PrimarySite, TokuhashiSurvival, VisceralMetastases
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .performance import PerformanceStatus, performance_status
from .version import RULES_VERSION

TOKUHASHI_REFERENCE: Final = (
    "Tokuhashi Y et al., Spine 2005;30(19):2186-91 (revised Tokuhashi); CLINICAL.md §3"
)

_P = PrimarySite
TOKUHASHI_PRIMARY_POINTS: Final = MappingProxyType(
    {
        _P.LUNG: 0, _P.OSTEOSARCOMA: 0, _P.STOMACH: 0, _P.BLADDER: 0, _P.ESOPHAGUS: 0,
        _P.PANCREAS: 0,
        _P.LIVER: 1, _P.GALLBLADDER: 1, _P.UNKNOWN: 1,  # "unidentified"
        _P.OTHER: 2,
        _P.KIDNEY: 3, _P.UTERUS: 3,
        _P.RECTUM: 4,
        _P.THYROID: 5, _P.BREAST: 5, _P.PROSTATE: 5, _P.CARCINOID: 5,
    }
)  # fmt: skip
#: "2014 modified" Tokuhashi: triple-negative breast scores 3 instead of 5 (§3 variant).
TOKUHASHI_2014_TRIPLE_NEGATIVE_BREAST_POINTS: Final = 3

#: *Policy* (§4, one visceral input for both scores): none 2, removable 1, treatable and
#: untreatable 0 (Tokuhashi's "unremovable").
TOKUHASHI_VISCERAL_POINTS: Final = MappingProxyType(
    {
        VisceralMetastases.NONE: 2,
        VisceralMetastases.REMOVABLE: 1,
        VisceralMetastases.TREATABLE: 0,
        VisceralMetastases.UNTREATABLE: 0,
    }
)
TOKUHASHI_PALSY_POINTS: Final = MappingProxyType(
    {Frankel.A: 0, Frankel.B: 0, Frankel.C: 1, Frankel.D: 1, Frankel.E: 2}
)


def tokuhashi_kps_points(kps: int) -> int:
    """General condition: KPS 10-40 0 points, 50-70 1, 80-100 2 (KPS 0 scores as 10-40)."""
    return 0 if kps <= 40 else (1 if kps <= 70 else 2)


def tokuhashi_extraspinal_points(foci: int) -> int:
    """Extraspinal bone metastasis foci: 3 or more 0, 1-2 1, none 2."""
    return 2 if foci == 0 else (1 if foci <= 2 else 0)


def tokuhashi_vertebral_points(count: int) -> int:
    """Metastases in vertebral bodies: 3 or more 0, 2 1, 1 (the index lesion only) 2."""
    return 2 if count == 1 else (1 if count == 2 else 0)


def tokuhashi_survival(total: int) -> TokuhashiSurvival:
    """0-8 under 6 months, 9-11 6 months or more, 12-15 1 year or more."""
    if total <= 8:
        return TokuhashiSurvival.UNDER_6_MONTHS
    if total <= 11:
        return TokuhashiSurvival.SIX_MONTHS_OR_MORE
    return TokuhashiSurvival.ONE_YEAR_OR_MORE


_SURVIVAL_TEXT: Final = {
    TokuhashiSurvival.UNDER_6_MONTHS: "predicted survival under 6 months "
    "(conservative or palliative treatment)",
    TokuhashiSurvival.SIX_MONTHS_OR_MORE: "predicted survival 6 months or more (palliative "
    "surgery; excisional for a single lesion without major-organ metastases)",
    TokuhashiSurvival.ONE_YEAR_OR_MORE: "predicted survival 1 year or more (excisional surgery)",
}
_TOTAL_TEXT: Final = tuple(
    f"Revised Tokuhashi {total} of 15: {_SURVIVAL_TEXT[tokuhashi_survival(total)]}."
    for total in range(16)
)
_VISCERAL_TEXT: Final = {
    VisceralMetastases.NONE: "No metastases to major internal organs: 2 points.",
    VisceralMetastases.REMOVABLE: "Removable metastases to major internal organs: 1 point.",
    VisceralMetastases.TREATABLE: "Organ metastases treatable but not removable: 0 points.",
    VisceralMetastases.UNTREATABLE: "Unremovable, untreatable organ metastases: 0 points.",
}
_PALSY_TEXT: Final = {
    grade: f"Palsy Frankel {grade.value}: {points(value)}."
    for grade, value in TOKUHASHI_PALSY_POINTS.items()
}
_PRIMARY_TEXT: Final = {
    site: f"Primary site {site.value}: {points(value)}."
    for site, value in TOKUHASHI_PRIMARY_POINTS.items()
}
_KPS_TEXT: Final = {
    (kps, from_ecog): (
        f"General condition KPS {kps}"
        + (" (mapped from ECOG, lower end of the range)" if from_ecog else "")
        + f": {points(tokuhashi_kps_points(kps))}."
    )
    for kps in range(0, 101, 10)
    for from_ecog in (False, True)
}


# Counts are small: each sentence is built once per count (checked to exact ints before use).
@lru_cache(maxsize=256)
def _extraspinal_text(foci: int) -> str:
    return f"{foci} extraspinal bone metastasis foci: {points(tokuhashi_extraspinal_points(foci))}."


@lru_cache(maxsize=256)
def _vertebral_text(count: int) -> str:
    return f"{count} vertebral body metastases: {points(tokuhashi_vertebral_points(count))}."


@fast_init
@dataclass(frozen=True, slots=True)
class TokuhashiResult:
    total: int
    band: TokuhashiSurvival
    components: dict[str, int]
    rationale: tuple[str, ...]
    kps: int
    kps_from_ecog: bool
    modified_2014_total: int | None = None
    modified_2014_band: TokuhashiSurvival | None = None
    reference: str = TOKUHASHI_REFERENCE
    rules_version: str = RULES_VERSION

    @property
    def survival(self) -> TokuhashiSurvival:
        return self.band

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "survival": self.band.value,
            "components": dict(self.components),
            "kps_from_ecog": self.kps_from_ecog,
            "modified_2014_total": self.modified_2014_total,
            "modified_2014_survival": (
                self.modified_2014_band.value if self.modified_2014_band is not None else None
            ),
            "rationale": list(self.rationale),
            "reference": self.reference,
        }


def tokuhashi(
    *,
    primary_site: PrimarySite,
    frankel: Frankel,
    extraspinal_bone_metastases: int,
    vertebral_metastases: int,
    visceral_metastases: VisceralMetastases,
    kps: int | None = None,
    ecog: int | None = None,
    subtype: MolecularSubtype | None = None,
) -> TokuhashiResult:
    """Revised Tokuhashi score (CLINICAL.md §3; Tokuhashi 2005).

    ``vertebral_metastases`` counts metastases in vertebral bodies, the index lesion included;
    ``extraspinal_bone_metastases`` counts extraspinal bone foci. KPS wins over ECOG; ECOG alone is
    mapped (§3 policy) and the result is marked ``kps_from_ecog``. The 2014 modified total (breast
    scored 3 instead of 5) is reported for triple-negative breast cancer only.
    """
    status = _checked(
        primary_site, frankel, extraspinal_bone_metastases, vertebral_metastases,
        visceral_metastases, kps, ecog,
    )  # fmt: skip
    primary_points = TOKUHASHI_PRIMARY_POINTS[primary_site]
    components = {
        "general_condition": tokuhashi_kps_points(status.kps),
        "extraspinal_bone_metastases": tokuhashi_extraspinal_points(extraspinal_bone_metastases),
        "vertebral_metastases": tokuhashi_vertebral_points(vertebral_metastases),
        "visceral_metastases": TOKUHASHI_VISCERAL_POINTS[visceral_metastases],
        "primary_site": primary_points,
        "palsy": TOKUHASHI_PALSY_POINTS[frankel],
    }
    total = sum(components.values())
    band = tokuhashi_survival(total)
    rationale = [
        _KPS_TEXT[status.kps, status.from_ecog],
        _extraspinal_text(extraspinal_bone_metastases),
        _vertebral_text(vertebral_metastases),
        _VISCERAL_TEXT[visceral_metastases],
        _PRIMARY_TEXT[primary_site],
        _PALSY_TEXT[frankel],
        _TOTAL_TEXT[total],
    ]
    modified_total = modified_band = None
    if subtype == MolecularSubtype.TRIPLE_NEGATIVE and primary_site == PrimarySite.BREAST:
        modified_total = total - primary_points + TOKUHASHI_2014_TRIPLE_NEGATIVE_BREAST_POINTS
        modified_band = tokuhashi_survival(modified_total)
        rationale.append(
            f"2014 modified Tokuhashi (triple-negative breast scored 3 instead of 5): "
            f"{modified_total} of 15, {_SURVIVAL_TEXT[modified_band]}."
        )
    return TokuhashiResult(
        total=total,
        band=band,
        components=components,
        rationale=tuple(rationale),
        kps=status.kps,
        kps_from_ecog=status.from_ecog,
        modified_2014_total=modified_total,
        modified_2014_band=modified_band,
    )


def _checked(
    primary_site: object,
    frankel: object,
    extraspinal: object,
    vertebral: object,
    visceral: object,
    kps: int | None,
    ecog: int | None,
) -> PerformanceStatus:
    """Validate every input at once (all errors together) and return the KPS to use."""
    if (
        type(primary_site) is PrimarySite
        and type(frankel) is Frankel
        and type(visceral) is VisceralMetastases
        and type(extraspinal) is int
        and extraspinal >= 0
        and type(vertebral) is int
        and vertebral >= 1
    ):
        return performance_status(kps=kps, ecog=ecog)
    bag = ErrorBag()
    try:
        status = performance_status(kps=kps, ecog=ecog)
    except ScoringInputError as error:
        bag.merge(error)
    for name, value, table, enum in (
        ("primary_site", primary_site, TOKUHASHI_PRIMARY_POINTS, PrimarySite),
        ("frankel", frankel, TOKUHASHI_PALSY_POINTS, Frankel),
        ("visceral_metastases", visceral, TOKUHASHI_VISCERAL_POINTS, VisceralMetastases),
    ):
        if not isinstance(value, str) or value not in table:
            bag.add(name, lookup_error(value, table, enum) or "cannot be scored")
    if reason := count_error(extraspinal, 0):
        bag.add("extraspinal_bone_metastases", reason)
    if reason := count_error(vertebral, 1):
        bag.add("vertebral_metastases", reason)
    bag.raise_if_any()
    return status
