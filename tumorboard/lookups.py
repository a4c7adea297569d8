"""Reading identifiers that come from URLs and query strings, and the row they name."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def as_id(value: object) -> int | None:
    """``value`` as an integer row id, or None for anything that is not one (a wrong id is a
    404 for the caller, never a 500)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


def one_by_pk(rows: QuerySet[M], pk: int | None) -> M | None:
    """The row of ``rows`` whose primary key is ``pk``, or None (``pk`` None: None, no query).

    Not ``filter(pk=...).first()``: ``first()`` orders by pk, and compiling an ORDER BY makes
    Django hash every selected column (some 80 for a case with its joins) to fetch one row
    (bench/RESULTS.md, issue 22)."""
    if pk is None:
        return None
    return next(iter(rows.filter(pk=pk).order_by()[:1]), None)
