"""Answer fields of the REST API where "no value" is ``null`` (issue 20): the database stores a
blank choice as ``""``; the API answers ``null`` and the schema says nullable, everywhere, so a
generated client never meets ``""`` where an enum is declared."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _BlankAsNull(serializers.Field):
    """Read-only; a blank value (``""``) is answered as ``null`` (the schema says nullable)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class BlankAsNullChoiceField(_BlankAsNull, serializers.ChoiceField):
    """A read-only choice whose blank value (``""``) is answered as ``null``."""


class BlankAsNullCharField(_BlankAsNull, serializers.CharField):
    """A read-only string whose blank value (``""``) is answered as ``null``."""
