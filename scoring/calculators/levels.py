"""Spinal levels: the spellings accepted, their order, and how a lesion's levels are named.

CLINICAL.md §1: levels accepted are ``C0`` (occiput), ``C1``-``C7``, ``T1``-``T12``, ``L1``-``L5``,
``S1``-``S5``, spelled exactly so; the coccyx is not scored and is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from .enums import SpinalLevel

LEVELS: Final[tuple[SpinalLevel, ...]] = tuple(SpinalLevel)
#: Position of each level, cranial to caudal; keyed by the plain name, so members look up too.
LEVEL_INDEX: Final[Mapping[str, int]] = MappingProxyType(
    {level.value: index for index, level in enumerate(LEVELS)}
)
#: A member for a member or its plain string, without the cost of an Enum call.
LEVEL_BY_NAME: Final = MappingProxyType({level.value: level for level in LEVELS})

_COCCYX = re.compile(r"^(co|cx|coc|coccyx)\s*\d*$", re.IGNORECASE)


def level_error(value: object) -> str | None:
    """Why ``value`` is not an accepted level, or ``None``."""
    if isinstance(value, str):
        if value in LEVEL_INDEX:
            return None
        if _COCCYX.match(value.strip()):
            return f"unknown level '{value}': the coccyx is not scored"
        if value.upper() in LEVEL_INDEX:
            return (
                f"unknown level '{value}': levels are upper-case, did you mean '{value.upper()}'?"
            )
        return f"unknown level '{value}': expected C0-C7, T1-T12, L1-L5 or S1-S5"
    if value is None:
        return "this field is required"
    return f"expected a level name such as 'T11', got {type(value).__name__}"


def levels_errors(levels: object) -> dict[str, list[str]]:
    """Errors of a lesion's level list, keyed ``levels`` or ``levels[i]``."""
    if levels is None:
        return {"levels": ["this field is required"]}
    if isinstance(levels, str | bytes) or not isinstance(levels, Sequence):
        return {"levels": ["expected a list of levels"]}
    if not levels:
        return {"levels": ["a lesion needs at least one level"]}
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, value in enumerate(levels):
        reason = level_error(value)
        if reason is None and value in seen:
            reason = f"duplicate level '{value}'"
        if reason is not None:
            errors[f"levels[{index}]"] = [reason]
        elif isinstance(value, str):
            seen.add(value)
    return errors


def format_levels(levels: Iterable[str]) -> str:
    """``T11-T12`` for a contiguous run, else ``T4, T9`` (cranial to caudal)."""
    if type(levels) is tuple:
        return _format_cached(levels)
    return _format(levels)


@lru_cache(maxsize=4096)
def _format_cached(levels: tuple[str, ...]) -> str:
    return _format(levels)


def _format(levels: Iterable[str]) -> str:
    ordered = sorted(set(levels), key=LEVEL_INDEX.__getitem__)
    if len(ordered) > 1 and LEVEL_INDEX[ordered[-1]] - LEVEL_INDEX[ordered[0]] == len(ordered) - 1:
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(ordered)
