"""List filters of the referral endpoint (django-filter; a malformed value is a 400 naming it)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from tumorboard.filters import UtcIsoDateTimeFilter

from .models import AWAITING_TRIAGE, DIRECTION_CHOICES, URGENCY_CHOICES, Referral, ReferralStatus


class ReferralFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(choices=DIRECTION_CHOICES)
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    urgency = django_filters.ChoiceFilter(choices=URGENCY_CHOICES)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: past the due time without a triage decision; false: the others")
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="ISO 8601 date-time: referrals changed at or after it (for clients that poll)",
    )

    class Meta:
        model = Referral
        fields = ["direction", "status", "urgency", "overdue", "updated_since"]

    def filter_overdue(self, queryset: QuerySet[Referral], name: str, value: bool | None
                       ) -> QuerySet[Referral]:
        if value is None:
            return queryset
        overdue = Q(status__in=AWAITING_TRIAGE, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
