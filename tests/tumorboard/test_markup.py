"""tumorboard.markup escapes as Django's format_html and conditional_escape do (the oracle), for
the values the rows built in Python hand it: plain and hostile text, numbers, None, markup,
lazy translations, a lazy CSRF token and an object that renders itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject, lazystr
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from tumorboard.markup import escaped, format_markup, join_markup


class _Renders:
    def __html__(self) -> str:
        return "<b>rendered</b>"


def _csrf() -> object:
    """The template context's token, as django.template.context_processors.csrf makes it."""
    request = RequestFactory().get("/")
    return SimpleLazyObject(lambda: get_token(request))


VALUES = [
    "plain", "<script>alert('x')</script> & \"quoted\"", "O'Neil & Sons", "—", "", 0, 17, 3.5,
    None, True, dt.date(2026, 12, 5), mark_safe("<em>safe</em>"), SafeString("<i>s</i>"),
    gettext_lazy("Acute deficit"), lazystr("<lazy & raw>"), _Renders(),
]


@pytest.mark.parametrize("index", range(len(VALUES) + 1))
def test_escaped_is_conditional_escape(index: int) -> None:
    value = VALUES[index] if index < len(VALUES) else _csrf()
    assert escaped(value) == conditional_escape(value)
    assert isinstance(escaped(value), str)


def test_format_and_join_are_format_html_and_its_join() -> None:
    template = '<td title="{}">{}</td><td>{}</td>'
    rows = [(a, b, c) for a, b, c in zip(VALUES, VALUES[1:], VALUES[2:], strict=False)]
    for row in rows:
        ours = format_markup(template, *row)
        assert ours == format_html(template, *row)
        assert isinstance(ours, SafeString)  # a template prints it as it is
    joined = join_markup("\n", (format_markup(template, *row) for row in rows))
    assert joined == format_html_join("\n", template, rows)
    assert join_markup("", ["<raw>", mark_safe("<ok>")]) == "&lt;raw&gt;<ok>"
