"""Referrals in Django admin: read-only for superusers (writes go through the services, which
keep the state machine and the event rows); every page of them is audited (cases.admin_audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.admin_audit import AuditedAdmin

from .models import Alert, Referral, ReferralEvent, ReferralTrigger


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # patient data: superusers only


class TriggerInline(admin.TabularInline):
    model = ReferralTrigger
    extra = 0
    can_delete = False
    readonly_fields = ("code", "evidence", "source", "fired_at")


class EventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "action", "from_status", "to_status", "actor", "note")


@admin.register(Referral)
class ReferralAdmin(AuditedAdmin, _ReadOnly):
    list_display = ("id", "case_id", "direction", "status", "urgency", "due_at",
                    "escalation_level")
    list_filter = ("direction", "status", "urgency")
    inlines = [TriggerInline, EventInline]


@admin.register(Alert)
class AlertAdmin(AuditedAdmin, _ReadOnly):
    audit_case_path = "referral__case_id"
    list_display = ("id", "referral_id", "recipient", "kind", "step", "created_at", "sent_at",
                    "attempts", "acknowledged_at")
    list_filter = ("kind",)
