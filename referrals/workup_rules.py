"""The rules of the occult-primary work-up results (CLINICAL.md §17), one named, versioned table.

- A tumour marker is flagged when its value is ABOVE the laboratory's upper reference limit
  (equal to the limit is not flagged).
- A breast primary is confirmed by histology of breast origin from the spine or the breast; a
  BI-RADS 6 category (a known, biopsy-proven malignancy) on mammography or ultrasound confirms
  too. BI-RADS 0-5, a breast focus on PET-CT, raised markers: suggestive, never confirming.
- Spinal histology that is not of breast origin points away from the breast: the page offers to
  close the work-up as excluding the breast, with the reason (a person decides, §17).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

WORKUP_RULES_VERSION: Final = "occult-primary-results-v1"

#: The unit each marker is recorded in (§17).
MARKER_UNITS: Final = {"ca15_3": "U/mL", "cea": "ng/mL", "alp": "U/L"}

#: The fields each kind of result requires (the others stay empty for it).
REQUIRED_FIELDS: Final = {
    "marker": ("marker", "value", "upper_limit"),
    "breast_imaging": ("modality",),
    "staging_scan": ("modality",),
    "biopsy": ("biopsy_site", "breast_origin"),
}
#: The modalities each imaging kind takes.
KIND_MODALITIES: Final = {
    "breast_imaging": frozenset({"mammography", "ultrasound"}),
    "staging_scan": frozenset({"pet_ct", "bone_scintigraphy"}),
}
#: The fields that belong to each kind (anything else given for it is refused).
KIND_FIELDS: Final = {
    "marker": frozenset({"marker", "value", "unit", "upper_limit"}),
    "breast_imaging": frozenset({"modality", "birads_left", "birads_right"}),
    "staging_scan": frozenset({"modality", "other_lesions", "breast_focus", "axillary_focus"}),
    "biopsy": frozenset({"biopsy_site", "breast_origin", "er", "pr", "her2", "ki67"}),
}
#: The work-up item (referrals.services.WORKUP_CODES) a result of each kind fulfils.
KIND_ITEM: Final = {
    "marker": "tumour_markers",
    "breast_imaging": "mammography_ultrasound",
    "staging_scan": "pet_ct_or_bone_scan",
    "biopsy": "spinal_biopsy",
}

#: BI-RADS categories that confirm a breast primary: 6 is a known, biopsy-proven malignancy.
BIRADS_CONFIRMING: Final = frozenset({6})
#: Biopsy sites whose histology of breast origin confirms a breast primary.
CONFIRMING_BIOPSY_SITES: Final = frozenset({"spine", "breast"})


@dataclass(frozen=True, slots=True)
class ConfirmationRule:
    code: str
    text: str


#: The named rules that confirm a breast primary (§17), in the order they are checked.
CONFIRMATION_RULES: Final = (
    ConfirmationRule("histology_breast_origin",
                     "Histology of breast origin from the spine or the breast"),
    ConfirmationRule("birads_6", "BI-RADS 6 (biopsy-proven malignancy) on breast imaging"),
)
_RULE_TEXT: Final = {rule.code: rule.text for rule in CONFIRMATION_RULES}


def marker_above_limit(value: Decimal | float | None, upper_limit: Decimal | float | None) -> bool:
    """A marker is flagged when above the upper reference limit; equal is within (§17)."""
    if value is None or upper_limit is None:
        return False
    return Decimal(str(value)) > Decimal(str(upper_limit))


def _get(result: Any, name: str) -> Any:
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


def confirming_rule(result: Any) -> str | None:
    """The code of the rule by which this one result confirms a breast primary, or None.
    ``result`` is an ``OccultWorkupResult`` or a dict of its fields."""
    kind = _get(result, "kind")
    if (kind == "biopsy" and _get(result, "breast_origin") is True
            and _get(result, "biopsy_site") in CONFIRMING_BIOPSY_SITES):
        return "histology_breast_origin"
    if kind == "breast_imaging" and ({_get(result, "birads_left"), _get(result, "birads_right")}
                                     & BIRADS_CONFIRMING):
        return "birads_6"
    return None


def points_away_from_breast(result: Any) -> bool:
    """Spinal histology that is not of breast origin: the exclusion is offered (§17)."""
    return (_get(result, "kind") == "biopsy" and _get(result, "biopsy_site") == "spine"
            and _get(result, "breast_origin") is False)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the results of a work-up say so far: ``confirmed`` with the rule and the result that
    confirmed it, or ``exclusion_suggested`` (spinal histology not of breast origin), or
    neither (pending)."""

    confirmed: bool
    rule: str = ""
    result_id: int | None = None
    exclusion_suggested: bool = False
    version: str = WORKUP_RULES_VERSION

    @property
    def text(self) -> str:
        if self.confirmed:
            return f"Breast primary confirmed: {_RULE_TEXT[self.rule].lower()}."
        if self.exclusion_suggested:
            return "Spinal histology is not of breast origin: the breast may be excluded."
        return "Not confirmed yet."


def confirmation(results: Iterable[Any]) -> Verdict:
    """The verdict of a work-up's results (§17): the first confirming result wins."""
    suggested = False
    for result in results:
        rule = confirming_rule(result)
        if rule is not None:
            return Verdict(True, rule, _get(result, "pk"))
        suggested = suggested or points_away_from_breast(result)
    return Verdict(False, exclusion_suggested=suggested)
