"""List filters of the cases endpoints (django-filter; a malformed value is a 400 naming it)."""

from __future__ import annotations

import django_filters

from tumorboard.filters import UtcIsoDateTimeFilter

from .models import Case
from .models.assessment import URGENCY_CHOICES
from .timeline import Phase


class CaseFilter(django_filters.FilterSet):
    phase = django_filters.ChoiceFilter(choices=Phase.choices)
    urgency = django_filters.ChoiceFilter(field_name="latest_assessment__urgency",
                                          choices=URGENCY_CHOICES, label="Urgency")
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed since",
        help_text="ISO 8601 date-time: cases changed at or after it (for clients that poll)",
    )

    class Meta:
        model = Case
        fields = ["phase", "urgency", "updated_since"]
