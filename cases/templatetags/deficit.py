"""``{% deficit_clock case %}``: the acute-deficit clock line (CLINICAL.md §9a), or nothing."""

from __future__ import annotations

from typing import Any

from django import template

from ..deficit import clock_words, deficit_clock

register = template.Library()


@register.simple_tag
def deficit_clock_words(case: Any) -> str:
    """The clock's words for ``case``, or "" when no clock is shown."""
    clock = deficit_clock(case)
    return clock_words(clock) if clock else ""
