"""Template helpers shared by every page."""

from __future__ import annotations

import functools
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tumorboard import labels

register = template.Library()

#: The urgency colours of CLINICAL.md §9, always shown with their words (never colour alone).
URGENCY_WORDS = labels.URGENCY


@register.filter
def words(code: object) -> str:
    """A code in a clinician's words (tumorboard.labels): "listed_for_mdt" -> "Listed for MDT"."""
    return labels.label(code)


@register.filter
def label(code: object, kind: str) -> str:
    """A code of a named kind in words: ``{{ p|label:"pathway" }}``, ``{{ s|label:"subtype" }}``."""
    return labels.label(code, kind)


@register.filter
def field_label(name: object) -> str:
    """A field name as the form shows it, for an error list: "kps" -> "KPS"."""
    return labels.field_label(name)


@register.filter
def without_sections(text: object) -> str:
    """A rule's sentence or reference without "CLINICAL.md §1" or "(S2 §8)"."""
    return labels.without_sections(text)


@register.filter
def percent(share: object, digits: int = 0) -> str:
    """A share 0..1 as a percentage: 0.25 -> "25%"."""
    if share is None or share == "":
        return "—"
    try:
        return labels.percent(float(share), int(digits))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(share)


@register.filter
def hours(value: object) -> str:
    """A number of hours as people say it: 168 -> "7 days"."""
    try:
        return labels.duration(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def when(value: object) -> str:
    """A time (datetime or ISO string) in the viewer's zone, plainly: "2026-12-04 22:18"."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return "" if value is None else str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


@register.simple_tag
def urgency_badge(level: object, short: bool = False) -> SafeString:
    """The one way an urgency is shown: its colour, a shape, and its words."""
    return _badge(str(level or ""), bool(short))


@functools.cache
def _badge(key: str, short: bool) -> SafeString:
    # A few words for each of four levels: made once (a table asks for one a row).
    if key not in URGENCY_WORDS:
        return format_html('<span class="badge urgency-none">no urgency</span>')
    text = key.capitalize() if short else URGENCY_WORDS[key]
    return format_html('<span class="badge urgency-{}" title="{}">{}</span>', key,
                       URGENCY_WORDS[key], text)


#: A check's severity as a colour beside its words (tumorboard.labels, kind "severity").
SEVERITY_CLASSES = {"block": "urgency-red", "warning": "urgency-orange", "info": "urgency-none"}


@register.simple_tag
def severity_badge(severity: object) -> SafeString:
    """A timing or safety check's severity in words and colour, never its code. (In an emergency
    the calculators already made every check "info": CLINICAL.md §10.)"""
    return _severity(str(severity or ""))


@functools.cache
def _severity(key: str) -> SafeString:
    return format_html('<span class="badge {}" data-severity="{}">{}</span>',
                       SEVERITY_CLASSES.get(key, "urgency-none"), key,
                       labels.label(key, "severity"))


@register.filter
def isodt(value: object) -> datetime | object:
    """An ISO 8601 string (as the selectors' dicts carry) as a datetime, for the ``date`` filter,
    which then shows it in the person's time zone."""
    if isinstance(value, str):
        return parse_datetime(value) or value
    return value


@register.filter
def pathway(code: object) -> str:
    """A NOMS pathway code in words: "separation_surgery_srs" -> "Separation surgery then SRS"."""
    return labels.label(code, "pathway")
