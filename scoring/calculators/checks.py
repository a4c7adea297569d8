"""Shared input checks: each returns the reason an input is refused, or ``None`` when it is fine.

The parser (JSON) and the calculators (typed calls from the cases app) use the same checks, so a
value is refused with the same words whichever way it arrives. ``bool`` is a subclass of ``int`` in
Python: the integer checks test the exact type so that ``True`` is never read as 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final, TypeGuard

REQUIRED: Final = "this field is required"
KPS_VALUES: Final = frozenset(range(0, 101, 10))
ECOG_VALUES: Final = frozenset(range(5))


def is_int(value: object) -> TypeGuard[int]:
    return type(value) is int


def is_real(value: object) -> TypeGuard[float]:
    """A finite int or float that is not a bool."""
    if type(value) is int:
        return True
    return isinstance(value, float) and type(value) is float and math.isfinite(value)


def choices(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def enum_error(value: object, enum: type[StrEnum]) -> str | None:
    if value is None:
        return REQUIRED
    if isinstance(value, str) and value in enum._value2member_map_:
        return None
    return f"expected one of {choices(enum)}, got {short_repr(value)}"


def kps_error(value: object) -> str | None:
    if value is None:
        return REQUIRED
    if is_int(value) and value in KPS_VALUES:
        return None
    return "must be a multiple of 10 between 0 and 100"


def ecog_error(value: object) -> str | None:
    if value is None:
        return REQUIRED
    if is_int(value) and value in ECOG_VALUES:
        return None
    return "must be an integer between 0 and 4 (ECOG 5, death, is not scored)"


def count_error(value: object, minimum: int) -> str | None:
    if value is None:
        return REQUIRED
    if not is_int(value):
        return "expected an integer"
    if value < minimum:
        return f"must be an integer of at least {minimum}"
    return None


def bool_error(value: object) -> str | None:
    if value is None:
        return REQUIRED
    if value is True or value is False:
        return None
    return "expected a boolean (true or false)"


def lookup_error(value: object, table: Mapping[Any, object], enum: type[StrEnum]) -> str | None:
    """The reason ``value`` is not a key of ``table`` (a table keyed by the members of ``enum``)."""
    if value is None:
        return REQUIRED
    if isinstance(value, str) and value in table:
        return None
    return enum_error(value, enum) or f"{short_repr(value)} is not scored"


def short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"
