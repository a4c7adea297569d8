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


#: A date and a date-time as every answer of the API writes them (ISO 8601, the user's time
#: zone), for the hand-written ``to_representation`` of the lists: ``self.fields`` is built for
#: each serializer instance (a deep copy of every declared field, and a ModelSerializer's walk
#: over its model), 0.7 ms of a 50-row case list for these two conversions (bench/RESULTS.md,
#: issue 22). Fields keep no state between calls, so one instance serves every request.
API_DATE = serializers.DateField(read_only=True)
API_DATETIME = serializers.DateTimeField(read_only=True)
