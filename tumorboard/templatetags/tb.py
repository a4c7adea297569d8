"""Template helpers shared by every page."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

#: The urgency colours of CLINICAL.md §9, always shown with their words (never colour alone).
URGENCY_WORDS = {"red": "Red · emergency, 24 h", "orange": "Orange · urgent, 72 h",
                 "green": "Green · elective, 7 days"}


@register.filter
def words(code: object) -> str:
    """An API code as words: "1_year_or_more" -> "1 year or more"."""
    return str(code).replace("_", " ") if code is not None else ""


@register.simple_tag
def urgency_badge(level: object, short: bool = False) -> SafeString:
    """The one way an urgency is shown: its colour, a shape, and its words."""
    key = str(level or "")
    if key not in URGENCY_WORDS:
        return format_html('<span class="badge urgency-none">no urgency</span>')
    text = key.capitalize() if short else URGENCY_WORDS[key]
    return format_html('<span class="badge urgency-{}" title="{}">{}</span>', key,
                       URGENCY_WORDS[key], text)


@register.filter
def isodt(value: object) -> datetime | object:
    """An ISO 8601 string (as the selectors' dicts carry) as a datetime, for the ``date`` filter,
    which then shows it in the person's time zone."""
    if isinstance(value, str):
        return parse_datetime(value) or value
    return value


#: The NOMS pathways (CLINICAL.md §5) as clinicians write them.
PATHWAY_WORDS = {"palliative_care": "Palliative care", "biopsy": "Biopsy",
                 "separation_surgery_srs": "Separation surgery + SRS",
                 "en_bloc_resection": "En bloc resection", "srs": "SRS",
                 "systemic_therapy_observation": "Systemic therapy and observation",
                 "cebrt": "cEBRT"}


@register.filter
def pathway(code: object) -> str:
    """A NOMS pathway code in words: "separation_surgery_srs" -> "Separation surgery + SRS"."""
    key = str(code or "")
    return PATHWAY_WORDS.get(key, key.replace("_", " "))
