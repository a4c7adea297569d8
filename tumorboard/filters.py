"""Filters shared by the list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, shifted to UTC here: PostgreSQL refuses offsets beyond ±15:59
    (+23:59 parses in Python), and a time at the edge of the calendar can leave it once
    shifted (0001-01-01T00:00+23:59). Both are a 400 naming the parameter, not a 500."""

    def strptime(self, value: str, format: str) -> datetime:
        parsed = super().strptime(value, format)
        try:
            return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed
        except (OverflowError, ValueError):
            raise ValueError("out of range") from None

    def to_python(self, value: Any) -> Any:
        try:
            result = super().to_python(value)
            if isinstance(result, datetime) and result.tzinfo is not None:
                result = result.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return result


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
