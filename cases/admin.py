"""Django admin of the cases app: patient data for superusers only, and every view of it is in
the audit trail; the audit trail itself is read-only. Day-to-day work happens on the case pages,
which go through the visibility selector; the admin is for data repair by a superuser."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .models import (
    Assessment,
    AuditAction,
    AuditEvent,
    Case,
    FollowUpVisit,
    LesionImaging,
    Patient,
    PhaseEvent,
    SpinalLesion,
)


class SuperuserOnlyAdmin(SimpleHistoryAdmin):
    """Patient data: only a superuser reaches it here, and each page view is audited."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through the services (pages and API): audit, events and permissions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit.record(actor=request.user, action=AuditAction.LIST,  # type: ignore[arg-type]
                     object_type=f"admin_{self.model._meta.model_name}")
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> HttpResponse:
        # An id that cannot be a key (26 digits) is no object: never written to the audit row.
        key = int(object_id) if object_id.isdigit() and len(object_id) <= 18 else None
        obj = self.model._default_manager.filter(pk=key).first() if key is not None else None
        audit.record(actor=request.user, action=AuditAction.VIEW,  # type: ignore[arg-type]
                     object_type=f"admin_{self.model._meta.model_name}",
                     object_id=key,
                     **_subject(obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action=AuditAction.UPDATE,  # type: ignore[arg-type]
                     object_type=f"admin_{self.model._meta.model_name}", object_id=obj.pk,
                     **_subject(obj))


def _subject(obj: Any) -> dict[str, Any]:
    """The case and patient an admin row belongs to, for its audit row (ids only)."""
    if obj is None:
        return {}
    if isinstance(obj, Patient):
        return {"patient_id": obj.pk}
    if isinstance(obj, Case):
        return {"case": obj}
    case = getattr(obj, "case", None) or getattr(getattr(obj, "lesion", None), "case", None)
    return {"case": case} if isinstance(case, Case) else {}


@admin.register(Patient)
class PatientAdmin(SuperuserOnlyAdmin):
    list_display = ("pk", "institution", "created_at")
    list_filter = ("institution",)
    search_fields = ("=mrn",)


@admin.register(Case)
class CaseAdmin(SuperuserOnlyAdmin):
    list_display = ("pk", "patient", "phase", "version", "updated_at")
    list_filter = ("phase",)
    readonly_fields = ("phase", "current_event", "latest_assessment", "version", "subtype",
                       "created_by")


@admin.register(SpinalLesion)
class SpinalLesionAdmin(SuperuserOnlyAdmin):
    list_display = ("pk", "case", "label")


@admin.register(LesionImaging)
class LesionImagingAdmin(SuperuserOnlyAdmin):
    list_display = ("pk", "lesion", "imaging_date", "bilsky")


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(SuperuserOnlyAdmin):
    list_display = ("pk", "case", "visit_date")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "evaluated_at", "rules_version", "max_sins", "urgency")


@admin.register(PhaseEvent)
class PhaseEventAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "from_phase", "to_phase", "actor", "at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "case_id", "outcome",
                    "ip_address")
    list_filter = ("action", "outcome")
