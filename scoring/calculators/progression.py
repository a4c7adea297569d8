"""Progression of vertebral destruction on serial imaging (CLINICAL.md §8 ``rapid_progression``;
S2 §6.1: rapid progression on serial imaging within 4-6 weeks).

*Service policy v1*: what "progressed" means is not fixed by the literature; the service reads it as
a worse category between two studies of the same lesion at most 42 days apart, per the orderings of
``PROGRESSION_ORDER`` (least to most destructive), or lytic replacing blastic or mixed bone.
"""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType
from typing import Final

from .checks import enum_error
from .enums import Alignment, BilskyGrade, BoneLesion, Collapse, Posterolateral
from .errors import ErrorBag, ScoringInputError
from .inputs import LesionImaging

PROGRESSION_POLICY_VERSION: Final = "2026.1"
#: The 6 weeks of S2 §6.1, inclusive: 42 days apart still counts, 43 does not.
PROGRESSION_WINDOW_DAYS: Final = 42


def _rank(*members: object) -> MappingProxyType[object, int]:
    return MappingProxyType({member: rank for rank, member in enumerate(members)})


#: Least to most destructive, per field. A higher rank on the later study is progression.
PROGRESSION_ORDER: Final = MappingProxyType(
    {
        "collapse": _rank(Collapse.NONE, Collapse.INVOLVED_OVER_50, Collapse.UNDER_50,
                          Collapse.OVER_50),
        "alignment": _rank(Alignment.NORMAL, Alignment.DEFORMITY, Alignment.SUBLUXATION),
        "posterolateral": _rank(Posterolateral.NONE, Posterolateral.UNILATERAL,
                                Posterolateral.BILATERAL),
        "bilsky": _rank(*BilskyGrade),
    }
)  # fmt: skip
#: Bone-quality changes that count: lytic replacing blastic or mixed (not blastic to mixed).
PROGRESSION_BONE_LESION_CHANGES: Final = frozenset(
    {(BoneLesion.BLASTIC, BoneLesion.LYTIC), (BoneLesion.MIXED, BoneLesion.LYTIC)}
)
_ENUMS: Final = {
    "collapse": Collapse,
    "alignment": Alignment,
    "posterolateral": Posterolateral,
    "bilsky": BilskyGrade,
    "bone_lesion": BoneLesion,
}


def progression_changes(previous: LesionImaging, current: LesionImaging) -> tuple[str, ...]:
    """What got worse from ``previous`` to ``current``, whatever the interval, as sentences."""
    _check(previous, current)
    changes = []
    for name, order in PROGRESSION_ORDER.items():
        before, after = getattr(previous, name), getattr(current, name)
        if order[after] > order[before]:
            changes.append(f"{name.replace('_', ' ').capitalize()} worse: {_words(before)} to "
                           f"{_words(after)}.")
    if (previous.bone_lesion, current.bone_lesion) in PROGRESSION_BONE_LESION_CHANGES:
        changes.append(f"Lytic bone replaced {previous.bone_lesion} bone.")
    return tuple(changes)


def _words(value: object) -> str:
    """A grade as read: "under_50" -> "under 50%", "involved_over_50" -> "over 50% involved"."""
    text = str(value)
    if text == "involved_over_50":
        return "no collapse, over 50% involved"
    return text.replace("_50", " 50%").replace("_", " ")


def progressed_within_6_weeks(previous: LesionImaging, current: LesionImaging) -> bool:
    """True when vertebral destruction progressed between two studies of one lesion taken at most
    42 days apart (service policy v1 above). Both imaging dates are required."""
    changes = progression_changes(previous, current)
    return bool(changes) and _days_between(previous, current) <= PROGRESSION_WINDOW_DAYS


def _days_between(previous: LesionImaging, current: LesionImaging) -> int:
    """Whole days from one study to the next; a datetime counts as its calendar day."""
    first, second = previous.imaged_on, current.imaged_on
    if not isinstance(first, date) or not isinstance(second, date):
        raise ScoringInputError.single("imaged_on", "this field is required: a date")
    return (_day(second) - _day(first)).days


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _check(previous: object, current: object) -> None:
    bag = ErrorBag()
    for path, study in (("previous", previous), ("current", current)):
        if not isinstance(study, LesionImaging):
            bag.add(path, "expected LesionImaging")
            continue
        if not isinstance(study.imaged_on, date):
            bag.add(f"{path}.imaged_on", "this field is required: a date")
        for name, enum in _ENUMS.items():
            if reason := enum_error(getattr(study, name), enum):
                bag.add(f"{path}.{name}", reason)
    if not bag:
        assert isinstance(previous, LesionImaging) and isinstance(current, LesionImaging)
        if _days_between(previous, current) < 0:
            bag.add("current.imaged_on", "must not be before previous.imaged_on")
    if bag:
        raise ScoringInputError(bag.errors)
