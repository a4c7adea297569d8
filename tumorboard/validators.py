"""Validators shared by the forms and serializers of every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# CR and LF end an e-mail header (a title in a Subject: BadHeaderError, or a header injected);
# the other line separators break a line in calendars and logs.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
SINGLE_LINE_MESSAGE = "must be a single line (no line breaks)"


def no_line_breaks(value: Any) -> None:
    """A single-line text: a title, a name, a label. The message never repeats the value."""
    if isinstance(value, str) and any(char in LINE_BREAKS for char in value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_break")


def one_line(text: str) -> str:
    """The text with every line break (and other control character) made a space: what goes
    into an e-mail header or a log, whatever is stored."""
    return " ".join("".join(" " if (c in LINE_BREAKS or ord(c) < 32 or ord(c) == 127) else c
                            for c in text).split())


class SingleLineFieldsMixin:
    """A Django form whose single-line text fields (every CharField not drawn as a textarea)
    refuse line breaks."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget,
                                                                     forms.Textarea):
                field.validators.append(no_line_breaks)
