"""``{% case_rows rows %}``: the rows of a case table (the case list, and the homes' "My cases").

The same markup as a template loop would write, built in Python: the template loop cost about
0.4 ms a row (``{% url %}``, filters and a tag for every row), 20 ms of the case list's 50
rows (bench/RESULTS.md, issue 22). Every value is escaped unless it is already markup, as the
template does (``tumorboard.markup``); the case link is reversed once per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from tumorboard.labels import label
from tumorboard.markup import format_markup, join_markup
from tumorboard.rowlinks import RowLink
from tumorboard.templatetags.tb import urgency_badge, when

register = template.Library()

_NOT_SCORED = mark_safe('<span class="muted">not scored</span>')
_NO_URGENCY = mark_safe('<span class="muted">none</span>')

_ROW = ("<tr>\n"
        '<td><a href="{}">{}, {}</a> <span class="muted">case #{}</span></td>\n'
        '<td class="nowrap">{}</td>\n'
        "<td>{}</td>\n"
        "<td>{}</td>\n"
        "<td>{}</td>\n"
        "<td>{}</td>\n"
        '<td class="nowrap">{}</td>\n'
        "</tr>")


def _row(case: Any, next_step: str, link: RowLink) -> SafeString:
    patient, assessment = case.patient, case.latest_assessment
    return format_markup(
        _ROW,
        link.to(case.pk), patient.family_name, patient.given_name, case.pk,
        patient.mrn,
        label(case.phase, "phase"),
        assessment.max_sins if assessment else _NOT_SCORED,
        urgency_badge(case.urgency, short=True) if case.urgency else _NO_URGENCY,
        next_step,
        when(case.updated_at),
    )


@register.simple_tag
def case_rows(rows: Iterable[tuple[Any, str]]) -> SafeString:
    """The ``<tr>`` of every (case, next step) in ``rows``."""
    link = RowLink("cases:case-detail")
    return join_markup("\n", (_row(case, step, link) for case, step in rows))
