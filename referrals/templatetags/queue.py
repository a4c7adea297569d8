"""``{% queue_rows rows next now %}``: the rows of a referral table (the triage queue, the
outgoing list, the overdue list of the coordinator's home).

The same markup as a template loop would write, built in Python: the queue and the homes show
up to 50 referrals, and the template loop cost 1.4 ms a row (includes, ``{% url %}``, filters
and ``{% csrf_token %}`` for every row): 70 ms of a 150 ms page (bench/RESULTS.md, issue 22).
Every value is escaped unless it is markup (``tumorboard.markup``); links are reversed once per
table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

from cases.deficit import clock_words, deficit_clock
from tumorboard.labels import label
from tumorboard.markup import format_markup, join_markup
from tumorboard.rowlinks import RowLink
from tumorboard.templatetags.tb import urgency_badge

from ..models import DIRECTION_CHOICES

register = template.Library()

#: The moves a row's button makes at once; the others open the referral at the move's form.
ONE_CLICK = frozenset({"acknowledge", "accept", "list_for_mdt"})
#: Each direction's words as the model's choices write them (``get_direction_display`` builds
#: the choices on every call).
_DIRECTION_WORDS = {value: str(words).lower() for value, words in DIRECTION_CHOICES}


class _Links:
    """The table's paths, reversed once (tumorboard.rowlinks)."""

    def __init__(self) -> None:
        self.case = RowLink("cases:case-detail")
        self.referral = RowLink("referrals:referral-detail")
        self.act = RowLink("referrals:referral-act", word=True)


def _time_left(r: Any, now: datetime) -> SafeString:
    if r.due_at and r.awaiting_triage:
        due = date_format(timezone.localtime(r.due_at), "D j M, H:i")
        if r.due_at < now:
            left = format_markup('<strong class="overdue">overdue by {}</strong>',
                                 timesince(r.due_at, now))
        else:
            left = format_markup("{} left", timeuntil(r.due_at, now))
        return format_markup('{}<br><span class="muted">due {}</span>', left, due)
    if r.status == "info_requested":
        return mark_safe('<span class="muted">waiting for information</span>')
    return mark_safe('<span class="muted">triaged</span>')


def _actions(r: Any, links: _Links, csrf: object, next_url: str) -> SafeString:
    parts = []
    for action in getattr(r, "actions", []):
        words = label(action, "referral_action")
        if action in ONE_CLICK:
            parts.append(format_markup(
                '<form method="post" action="{}"><input type="hidden" '
                'name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="next" '
                'value="{}"><button type="submit">{}<span class="visually-hidden"> referral {}'
                "</span></button></form>",
                links.act.to(r.pk, action), csrf, next_url, words, r.pk))
        else:
            parts.append(format_markup(
                '<a href="{}#act-{}">{}…<span class="visually-hidden"> referral {}</span></a>',
                links.referral.to(r.pk), action, words, r.pk))
    return join_markup("\n", parts)


def _row(r: Any, links: _Links, csrf: object, next_url: str, now: datetime) -> SafeString:
    patient = r.case.patient
    clock = deficit_clock(r.case)
    assessment = r.case.latest_assessment
    return format_markup(
        "<tr>\n"
        '<td><a href="{}">{}, {}</a><br><span class="muted"><a href="{}">referral #{}</a>, {}'
        "</span>{}</td>\n"
        '<td data-label="Urgency">{}</td>\n'
        '<td class="clock" data-label="Time left">{}</td>\n'
        '<td data-label="Triggers">{}</td>\n'
        '<td data-label="Scores">{}</td>\n'
        '<td data-label="Status">{}</td>\n'
        '<td><div class="actions">{}</div></td>\n'
        "</tr>",
        links.case.to(r.case_id), patient.family_name, patient.given_name,
        links.referral.to(r.pk), r.pk, _DIRECTION_WORDS.get(r.direction, r.direction),
        format_markup('<p class="deficit-clock"><strong>Acute deficit:</strong> {}</p>',
                      clock_words(clock)) if clock else "",
        urgency_badge(r.urgency, short=True) if r.urgency else "—",
        _time_left(r, now),
        join_markup("", (format_markup('<span class="badge" title="{}">{}</span> ', t.evidence,
                                        label(t.code, "trigger")) for t in r.triggers.all())),
        format_markup("SINS {} · Bilsky {}", assessment.max_sins, assessment.max_bilsky)
        if assessment else "—",
        label(r.status, "referral_status"),
        _actions(r, links, csrf, next_url),
    )


@register.simple_tag(takes_context=True)
def queue_rows(context: template.Context, rows: Iterable[Any], next_url: str,
               now: datetime | None = None) -> SafeString:
    """The ``<tr>`` of every referral in ``rows``; action buttons post back to ``next_url``."""
    csrf = context.get("csrf_token", "")  # lazy: the token is made when a form shows it
    links, moment = _Links(), now or timezone.now()
    return join_markup("\n", (_row(r, links, csrf, next_url, moment) for r in rows))
