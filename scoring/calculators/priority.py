"""MDT agenda priority, service policy v1 (CLINICAL.md §13).

Order: urgency (red, orange, green, then none); then highest SINS; then highest Bilsky grade; then
oldest referral. A missing SINS or Bilsky grade sorts last within its group.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

from .bilsky import BILSKY_RANK
from .checks import enum_error
from .enums import BilskyGrade, Urgency
from .errors import ErrorBag, ScoringInputError

#: Position of each urgency on the agenda; a case with no urgency comes after green.
PRIORITY_URGENCY_RANK: Final = MappingProxyType(
    {Urgency.RED: 0, Urgency.ORANGE: 1, Urgency.GREEN: 2, None: 3}
)
_URGENCY_WORDS: Final = {
    Urgency.RED: "red urgency (emergency)",
    Urgency.ORANGE: "orange urgency (urgent)",
    Urgency.GREEN: "green urgency (elective)",
    None: "no urgency",
}

PriorityKey = tuple[int, int, int, int, int, datetime]


def priority_key(
    *,
    urgency: Urgency | None,
    max_sins: int | None,
    max_bilsky: BilskyGrade | None,
    referred_at: datetime,
) -> PriorityKey:
    """A key whose ascending sort is the agenda order (CLINICAL.md §13).

    Compare keys of aware datetimes only (or naive only): Python refuses to order a mix.
    """
    _check(urgency, max_sins, max_bilsky, referred_at)
    return (
        PRIORITY_URGENCY_RANK[urgency],
        1 if max_sins is None else 0,
        0 if max_sins is None else -max_sins,
        1 if max_bilsky is None else 0,
        0 if max_bilsky is None else -BILSKY_RANK[max_bilsky],
        referred_at,
    )


def priority_reason(
    *,
    urgency: Urgency | None,
    max_sins: int | None,
    max_bilsky: BilskyGrade | None,
    referred_at: datetime,
) -> str:
    """The agenda position in words, in the order the key sorts."""
    _check(urgency, max_sins, max_bilsky, referred_at)
    sins_text = "no SINS recorded" if max_sins is None else f"highest SINS {max_sins}"
    bilsky_text = (
        "no Bilsky grade recorded" if max_bilsky is None else f"highest Bilsky grade {max_bilsky}"
    )
    when = _when(referred_at)
    text = f"{_URGENCY_WORDS[urgency]}, then {sins_text}, then {bilsky_text}, referred {when}."
    return text[0].upper() + text[1:]


def _when(at: datetime) -> str:
    """A plain time for a stored sentence: "2026-03-01 08:00 UTC" (no "+00:00")."""
    if at.utcoffset() is None:
        return at.strftime("%Y-%m-%d %H:%M")
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check(urgency: object, max_sins: object, max_bilsky: object, referred_at: object) -> None:
    bag = ErrorBag()
    if urgency is not None and (reason := enum_error(urgency, Urgency)):
        bag.add("urgency", reason)
    if max_sins is not None and (type(max_sins) is not int or not 0 <= max_sins <= 18):
        bag.add("max_sins", "must be an integer between 0 and 18")
    if max_bilsky is not None and (reason := enum_error(max_bilsky, BilskyGrade)):
        bag.add("max_bilsky", reason)
    if not isinstance(referred_at, datetime):
        bag.add("referred_at", "expected a datetime")
    if bag:
        raise ScoringInputError(bag.errors)
