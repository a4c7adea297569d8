"""Modified Bauer score and the New England Spinal Metastasis Score, NESMS (CLINICAL.md §5).

Leithner A et al. Predictive value of seven preoperative prognostic scoring systems for spinal
metastases. Eur Spine J 2008;17(11):1488-95 (modified Bauer). Ghori AK et al. Modeling 1-year
survival after surgery on the metastatic spine. Spine J 2015;15(11):2345-50; Schoenfeld AJ et al.
(NESMS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .checks import REQUIRED, bool_error, is_real, points
from .enums import BauerBand, PrimarySite, VisceralMetastases
from .errors import ErrorBag
from .frozen import fast_init
from .tomita import TOMITA_GROWTH_CLASS, raise_burden_error
from .version import RULES_VERSION

BAUER_REFERENCE: Final = "Leithner A et al., Eur Spine J 2008;17(11):1488-95; CLINICAL.md §5"
NESMS_REFERENCE: Final = (
    "Ghori AK et al., Spine J 2015;15(11):2345-50; Schoenfeld AJ et al.; CLINICAL.md §5"
)

#: Bauer's favourable primaries are breast, kidney, lymphoma and myeloma; of the API's sites only
#: breast and kidney are among them (lymphoma and myeloma arrive as "other", which is not).
BAUER_FAVOURABLE_PRIMARIES: Final = frozenset({PrimarySite.BREAST, PrimarySite.KIDNEY})
#: An unknown primary may be lung: the "not lung" point needs a known primary (service judgment).
BAUER_NOT_LUNG_EXCLUDED: Final = frozenset({PrimarySite.LUNG, PrimarySite.UNKNOWN})
_VISCERAL: Final = {member: member for member in VisceralMetastases}
NESMS_ALBUMIN_THRESHOLD_G_DL: Final = 3.5
NESMS_BAUER_THRESHOLD: Final = 3
NESMS_CAP: Final = 3
#: Above this a value is almost surely g/L, not g/dL (normal serum albumin is 3.5-5.0 g/dL).
ALBUMIN_MAX_G_DL: Final = 10.0


def bauer_band(total: int) -> BauerBand:
    """0-1 supportive care, 2 short-term palliation, 3-4 middle-term local control."""
    if total <= 1:
        return BauerBand.SUPPORTIVE_CARE
    return BauerBand.SHORT_TERM_PALLIATION if total == 2 else BauerBand.MIDDLE_TERM_LOCAL_CONTROL


_BAND_TEXT: Final = {
    BauerBand.SUPPORTIVE_CARE: "supportive care",
    BauerBand.SHORT_TERM_PALLIATION: "short-term palliation",
    BauerBand.MIDDLE_TERM_LOCAL_CONTROL: "middle-term local control",
}
_TOTAL_TEXT: Final = tuple(
    f"Modified Bauer {total} of 4: {_BAND_TEXT[bauer_band(total)]}." for total in range(5)
)


@fast_init
@dataclass(frozen=True, slots=True)
class BauerResult:
    total: int
    band: BauerBand
    components: dict[str, int]
    rationale: tuple[str, ...]
    reference: str = BAUER_REFERENCE
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "band": self.band.value,
            "components": dict(self.components),
            "rationale": list(self.rationale),
            "reference": self.reference,
        }


@fast_init
@dataclass(frozen=True, slots=True)
class NesmsResult:
    """NESMS 0-3. CLINICAL.md §5 names no bands for it, so ``band`` is always ``None``."""

    total: int
    components: dict[str, int]
    rationale: tuple[str, ...]
    band: None = None
    reference: str = NESMS_REFERENCE
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "band": None,
            "components": dict(self.components),
            "rationale": list(self.rationale),
            "reference": self.reference,
        }


def modified_bauer(
    *,
    primary_site: PrimarySite,
    visceral_metastases: VisceralMetastases,
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
) -> BauerResult:
    """Modified Bauer score, 0-4 (CLINICAL.md §5; Leithner 2008).

    One point each: no visceral metastases; primary not lung; primary breast, kidney, lymphoma or
    myeloma; solitary skeletal metastasis (exactly one bone metastasis in the skeleton, as Tomita).
    """
    if not (
        isinstance(primary_site, str)
        and primary_site in TOMITA_GROWTH_CLASS
        and isinstance(visceral_metastases, str)
        and visceral_metastases in _VISCERAL
        and type(vertebral_metastases) is int
        and vertebral_metastases >= 1
        and type(extraspinal_bone_metastases) is int
        and extraspinal_bone_metastases >= 0
    ):
        raise_burden_error(
            primary_site, visceral_metastases, vertebral_metastases, extraspinal_bone_metastases
        )
    no_visceral = visceral_metastases == VisceralMetastases.NONE
    not_lung = primary_site not in BAUER_NOT_LUNG_EXCLUDED
    favourable = primary_site in BAUER_FAVOURABLE_PRIMARIES
    solitary = vertebral_metastases + extraspinal_bone_metastases == 1
    components = {
        "no_visceral_metastases": int(no_visceral),
        "primary_not_lung": int(not_lung),
        "favourable_primary": int(favourable),
        "solitary_skeletal_metastasis": int(solitary),
    }
    total = no_visceral + not_lung + favourable + solitary
    return BauerResult(
        total=total,
        band=bauer_band(total),
        components=components,
        rationale=(
            "No visceral metastases: 1 point." if no_visceral else "Visceral metastases: 0 points.",
            *_SITE_TEXT[primary_site],
            "Solitary skeletal metastasis: 1 point."
            if solitary
            else "More than one skeletal metastasis: 0 points.",
            _TOTAL_TEXT[total],
        ),
    )


def _not_lung_text(site: PrimarySite) -> str:
    if site == PrimarySite.LUNG:
        return "Primary lung: 0 points."
    if site == PrimarySite.UNKNOWN:
        return "Primary unknown, lung not excluded: 0 points."
    return "Primary not lung: 1 point."


def _favourable_text(site: PrimarySite) -> str:
    favourable = site in BAUER_FAVOURABLE_PRIMARIES
    return (
        f"Primary {site.value} {'is' if favourable else 'is not'} breast, kidney, lymphoma or "
        f"myeloma: {int(favourable)} point{'' if favourable else 's'}."
    )


# The two sentences that depend on the primary alone, built once per site.
_SITE_TEXT: Final = {site: (_not_lung_text(site), _favourable_text(site)) for site in PrimarySite}


def albumin_error(value: object) -> str | None:
    if value is None:
        return REQUIRED
    if not is_real(value) or not 0 < value <= ALBUMIN_MAX_G_DL:
        return (
            f"must be a number of g/dL above 0 and at most {ALBUMIN_MAX_G_DL:g} "
            "(a value such as 35 is in g/L: divide by 10)"
        )
    return None


def nesms(*, modified_bauer_total: int, ambulatory: bool, albumin_g_dl: float) -> NesmsResult:
    """NESMS, 0-3 (CLINICAL.md §5; Ghori 2015).

    2 points for a modified Bauer of 3 or more, 1 for independent ambulation, 1 for serum albumin of
    3.5 g/dL or more; the total is capped at 3.
    """
    if not (
        type(modified_bauer_total) is int
        and 0 <= modified_bauer_total <= 4
        and (ambulatory is True or ambulatory is False)
        and albumin_error(albumin_g_dl) is None
    ):
        bag = ErrorBag()
        if type(modified_bauer_total) is not int or not 0 <= modified_bauer_total <= 4:
            bag.add("modified_bauer_total", "must be an integer between 0 and 4")
        if reason := bool_error(ambulatory):
            bag.add("ambulatory", reason)
        if reason := albumin_error(albumin_g_dl):
            bag.add("albumin_g_dl", reason)
        bag.raise_if_any()
    bauer_points = 2 if modified_bauer_total >= NESMS_BAUER_THRESHOLD else 0
    albumin_points = 1 if albumin_g_dl >= NESMS_ALBUMIN_THRESHOLD_G_DL else 0
    components = {
        "modified_bauer_3_or_more": bauer_points,
        "independent_ambulation": int(ambulatory),
        "albumin_3_5_or_more": albumin_points,
    }
    raw = bauer_points + int(ambulatory) + albumin_points
    total = min(raw, NESMS_CAP)
    return NesmsResult(
        total=total,
        components=components,
        rationale=(
            f"Modified Bauer {modified_bauer_total}: {points(bauer_points)} (2 when 3 or more).",
            "Ambulates independently: 1 point."
            if ambulatory
            else "Does not ambulate independently: 0 points.",
            f"Serum albumin {albumin_g_dl:g} g/dL: {albumin_points} point"
            + ("." if albumin_points else "s (1 when 3.5 g/dL or more)."),
            f"NESMS {total} of 3"
            + (f" (components add up to {raw}; the total is capped at 3)." if raw > total else "."),
        ),
    )
