"""Meetings in Django admin: read-only for superusers (writes go through the services, which keep
the state machine, the event rows and the audit trail); every page of them is audited, with the
cases of the agenda (cases.admin_audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.admin_audit import AuditedAdmin

from .models import AgendaItem, Attendance, Meeting, MeetingEvent, Packet


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # agendas name patients: superusers only


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = readonly_fields = ("user", "role", "expected", "present", "recorded_at",
                                "invitation_sent_at")
    can_delete = False


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = readonly_fields = ("position", "case", "source", "urgency", "max_sins", "max_bilsky",
                                "snapshot_at")
    can_delete = False


class EventInline(admin.TabularInline):
    model = MeetingEvent
    extra = 0
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "note")
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin, _ReadOnly):
    audit_case_path = "items__case_id"
    list_display = ["id", "title", "starts_at", "mdt_team", "status", "quorum_met"]
    list_filter = ["status"]
    inlines = [AttendanceInline, AgendaItemInline, EventInline]


@admin.register(Packet)
class PacketAdmin(AuditedAdmin, _ReadOnly):
    audit_case_path = "meeting__items__case_id"
    list_display = ["id", "meeting", "kind", "audience", "status", "page_count",
                    "render_seconds", "finished_at"]
    list_filter = ["status", "kind"]
