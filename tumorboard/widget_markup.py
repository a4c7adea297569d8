"""Form widgets' markup: Django's own templates, with the two commonest written in Python.

Django renders each widget through a template, and a select through one more template per
option, each including the attributes' template: three filter fields of the case list took
about 1 ms of the page (bench/RESULTS.md, issue 22). ``FormRenderer`` writes a ``<select>``
(its options included) and an ``<input>`` as those templates do, character for character, and
hands every other widget to the templates. ``tests/test_widget_markup.py`` holds every form of
the project, and awkward values (groups, safe and lazy labels, numbers), to the templates'
output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from tumorboard.markup import escaped

_WIDGETS = "django/forms/widgets/"
_OPTION = _WIDGETS + "select_option.html"


def _string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: no localization; a safe string stays unescaped."""
    return escaped(value if isinstance(value, str) else str(value))


def _text(value: Any) -> str:
    """``{{ value }}``: localized, then as ``_string``."""
    return _string(localize(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ``True`` is a bare name, ``False`` leaves it out."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"'
        for name, value in attrs.items() if value is not False)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_string(value)}"'
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
            f'{_attrs(widget["attrs"])}>')


class FormRenderer(DjangoTemplates):
    """Django's default renderer; a select and the text-like inputs written in Python."""

    def render(self, template_name: str, context: dict[str, Any],
               request: Any = None) -> str:
        written = _WRITTEN.get(template_name)
        markup = written(context["widget"]) if written is not None else None
        if markup is None:
            return super().render(template_name, context, request)
        return mark_safe(markup)  # noqa: S308 (every value escaped on its way in)


def _select(widget: Mapping[str, Any]) -> str | None:
    """django/forms/widgets/select.html with select_option.html in place; None (the
    templates, then) when an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            # The included option template ends with a newline of its own.
            parts.append(f'\n  <option value="{_string(option["value"])}"'
                         f'{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUTS = ("input", "text", "number", "email", "url", "password", "hidden", "date",
           "datetime", "time", "search", "tel", "color")
_WRITTEN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    _WIDGETS + "select.html": _select,
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS},
}
