"""Urgency of a referral and its due time, service policy v1 (CLINICAL.md §9).

S2 gives the colours (red: emergency, under 24 h; orange: urgent, under 72 h; green: elective);
the mapping from findings to colour is service policy. S2 §3.2: decompression within 6 h of acute
deterioration gives the best recovery. Green's 7 days follows NICE CG75 (MRI within a week for pain
suggestive of spinal metastasis).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from .bilsky import HIGH_GRADE
from .checks import enum_error
from .enums import BilskyGrade, MolecularSubtype, TriggerCode, Urgency
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .version import RULES_VERSION

URGENCY_REFERENCE: Final = "S2 Table 2 colours, §3.2; NICE CG75; CLINICAL.md §9 (policy v1)"

#: Hours from the referral to its due time. Calendar hours: nights and weekends count.
URGENCY_DUE_HOURS: Final = MappingProxyType(
    {Urgency.RED: 24, Urgency.ORANGE: 72, Urgency.GREEN: 168}
)
#: Version of ``ESCALATION_MINUTES``: change it with the table.
ESCALATION_POLICY_VERSION: Final = "v2"
ESCALATION_REFERENCE: Final = "CLINICAL.md §9a (service policy v2)"
#: Escalation of a referral nobody acknowledged, service policy v2 (CLINICAL.md §9a), by urgency:
#: (minutes from sending to step 1, the whole receiving team; minutes from sending to step 2, the
#: team's lead and the MDT coordinators). A referral whose urgency rises is re-timed from the
#: moment it rose. Step 1 never comes after the referral's due time (``URGENCY_DUE_HOURS``).
#: v1 escalated every colour after 4 h then 1 h, too slow for an emergency.
ESCALATION_MINUTES: Final = MappingProxyType(
    {Urgency.RED: (30, 60), Urgency.ORANGE: (4 * 60, 8 * 60), Urgency.GREEN: (24 * 60, 48 * 60)}
)
#: Subtypes whose high-grade ESCC is an emergency (rapidly destructive, S2 Table 1).
RED_HIGH_GRADE_SUBTYPES: Final = frozenset(
    {MolecularSubtype.HER2_ENRICHED, MolecularSubtype.TRIPLE_NEGATIVE}
)
ORANGE_MIN_SINS: Final = 13


@fast_init
@dataclass(frozen=True, slots=True)
class UrgencyResult:
    level: Urgency | None
    due_within_hours: int | None
    rationale: tuple[str, ...]
    reference: str = URGENCY_REFERENCE
    rules_version: str = RULES_VERSION


_NONE: Final = UrgencyResult(
    level=None, due_within_hours=None, rationale=("No trigger fired: no urgency, no due time.",)
)


def urgency(
    *,
    trigger_codes: Collection[TriggerCode],
    max_bilsky: BilskyGrade | None,
    max_sins: int | None,
    subtype: MolecularSubtype | None,
) -> UrgencyResult:
    """Colour and due hours of the fired triggers (CLINICAL.md §9, policy v1).

    Red (24 h): a neurological deficit, or high-grade ESCC in HER2-enriched or triple-negative
    cancer. Orange (72 h): high-grade ESCC otherwise, SINS 13 or more, rapid progression, or an
    occult primary. Green (168 h): any other fired trigger. No trigger: no urgency.
    """
    codes = _checked(trigger_codes, max_bilsky, max_sins, subtype)
    return urgency_unchecked(
        trigger_codes=codes, max_bilsky=max_bilsky, max_sins=max_sins, subtype=subtype
    )


def urgency_unchecked(
    *,
    trigger_codes: Collection[TriggerCode],
    max_bilsky: BilskyGrade | None,
    max_sins: int | None,
    subtype: MolecularSubtype | None,
) -> UrgencyResult:
    """``urgency`` without its input checks, for ``evaluate``: the codes are the triggers that
    fired (each once), the grade, SINS and subtype come from checked calculators."""
    if not trigger_codes:
        return _NONE
    high_grade = max_bilsky in HIGH_GRADE
    red: list[str] = []
    if TriggerCode.NEUROLOGICAL_DEFICIT in trigger_codes:
        red.append("neurological deficit")
    if high_grade and subtype in RED_HIGH_GRADE_SUBTYPES:
        red.append(f"high-grade ESCC (Bilsky {max_bilsky}) in {_subtype_words(subtype)} cancer")
    if red:
        return _result(Urgency.RED, tuple(red))
    orange: list[str] = []
    if high_grade:
        orange.append(f"high-grade ESCC (Bilsky {max_bilsky})")
    if max_sins is not None and max_sins >= ORANGE_MIN_SINS:
        orange.append(f"SINS {max_sins} (13 or more)")
    if TriggerCode.RAPID_PROGRESSION in trigger_codes:
        orange.append("rapid progression")
    if TriggerCode.OCCULT_PRIMARY in trigger_codes:
        orange.append("occult-primary referral")
    if orange:
        return _result(Urgency.ORANGE, tuple(orange))
    count = len(trigger_codes)
    return _result(
        Urgency.GREEN,
        (
            f"{count} referral trigger{'s' if count > 1 else ''} "
            "without an emergency or urgent finding",
        ),
    )


# A few dozen reason combinations in all: each result is built once and shared (it is frozen).
@lru_cache(maxsize=512)
def _result(level: Urgency, reasons: tuple[str, ...]) -> UrgencyResult:
    hours = URGENCY_DUE_HOURS[level]
    return UrgencyResult(
        level=level,
        due_within_hours=hours,
        rationale=(
            f"{level.value.capitalize()}, due within {_hours_words(hours)}: {', '.join(reasons)}.",
        ),
    )


def _hours_words(hours: int) -> str:
    """A due time as people say it: 24 -> "24 hours", 168 -> "7 days"."""
    return f"{hours // 24} days" if hours % 24 == 0 and hours > 72 else f"{hours} hours"


def _subtype_words(subtype: object) -> str:
    """ "her2_enriched" -> "HER2-enriched", "triple_negative" -> "triple-negative"."""
    return str(subtype).replace("_", "-").replace("her2", "HER2")


def _checked(
    trigger_codes: object, max_bilsky: object, max_sins: object, subtype: object
) -> frozenset[TriggerCode]:
    if (
        isinstance(trigger_codes, list | tuple | set | frozenset)
        and all(type(code) is TriggerCode for code in trigger_codes)
        and (max_bilsky is None or type(max_bilsky) is BilskyGrade)
        and (max_sins is None or (type(max_sins) is int and 0 <= max_sins <= 18))
        and (subtype is None or type(subtype) is MolecularSubtype)
    ):
        return frozenset(trigger_codes)
    bag = ErrorBag()
    codes: frozenset[TriggerCode] = frozenset()
    if isinstance(trigger_codes, Collection) and all(
        isinstance(code, str) and code in TriggerCode._value2member_map_ for code in trigger_codes
    ):
        codes = frozenset(TriggerCode(code) for code in trigger_codes)
    else:
        bag.add("trigger_codes", "expected a collection of trigger codes")
    if max_bilsky is not None and (reason := enum_error(max_bilsky, BilskyGrade)):
        bag.add("max_bilsky", reason)
    if max_sins is not None and (type(max_sins) is not int or not 0 <= max_sins <= 18):
        bag.add("max_sins", "must be an integer between 0 and 18")
    if subtype is not None and (reason := enum_error(subtype, MolecularSubtype)):
        bag.add("subtype", reason)
    bag.raise_if_any()
    return codes


def urgency_due_at(urgency: Urgency | None, raised_at: datetime) -> datetime | None:
    """When a referral raised at ``raised_at`` is due: calendar hours, nights and weekends included
    (§9). ``None`` when there is no urgency."""
    if urgency is None:
        return None
    hours = URGENCY_DUE_HOURS.get(urgency) if isinstance(urgency, str) else None
    if hours is None:
        raise ScoringInputError.single("urgency", enum_error(urgency, Urgency) or "unknown")
    if not isinstance(raised_at, datetime):
        raise ScoringInputError.single("raised_at", "expected a datetime")
    return raised_at + timedelta(hours=hours)
