"""Reading identifiers that come from URLs and query strings."""

from __future__ import annotations


def as_id(value: object) -> int | None:
    """``value`` as an integer row id, or None for anything that is not one (a wrong id is a
    404 for the caller, never a 500)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
