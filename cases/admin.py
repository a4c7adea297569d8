"""Django admin of the cases app: patient data for superusers only, and every view of it (list,
change, history) is in the audit trail (``cases.admin_audit``); the audit trail itself is
read-only. Day-to-day work happens on the case pages,
which go through the visibility selector; the admin is for data repair by a superuser."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .admin_audit import AuditedAdmin
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
from .services.common import lock_case
from .services.current import clinical_inputs_changed


class SuperuserOnlyAdmin(AuditedAdmin, SimpleHistoryAdmin):
    """Patient data: only a superuser reaches it here, and each page view is audited."""

    #: A repair of a clinical input rescores the case as the pages do (issue 17: the assessment
    #: is always current, whatever made the change), in the admin's transaction.
    clinical_input = False

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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        subject = _subject(obj)
        audit.record(actor=request.user, action=AuditAction.UPDATE,  # type: ignore[arg-type]
                     object_type=f"admin_{self.model._meta.model_name}", object_id=obj.pk,
                     **subject)
        case = subject.get("case")
        if self.clinical_input and case is not None:
            clinical_inputs_changed(lock_case(case), request.user)  # type: ignore[arg-type]


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
    audit_patient = True
    audit_case_path = None
    list_display = ("pk", "institution", "created_at")
    list_filter = ("institution",)
    search_fields = ("=mrn",)


@admin.register(Case)
class CaseAdmin(SuperuserOnlyAdmin):
    clinical_input = True
    audit_case_path = "pk"
    list_display = ("pk", "patient", "phase", "version", "updated_at")
    list_filter = ("phase",)
    readonly_fields = ("phase", "current_event", "latest_assessment", "version", "subtype",
                       "created_by")


@admin.register(SpinalLesion)
class SpinalLesionAdmin(SuperuserOnlyAdmin):
    clinical_input = True
    list_display = ("pk", "case", "label")


@admin.register(LesionImaging)
class LesionImagingAdmin(SuperuserOnlyAdmin):
    clinical_input = True
    audit_case_path = "lesion__case_id"
    list_display = ("pk", "lesion", "imaging_date", "bilsky")


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(SuperuserOnlyAdmin):
    clinical_input = True
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
class AssessmentAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = ("pk", "case", "evaluated_at", "rules_version", "max_sins", "urgency")


@admin.register(PhaseEvent)
class PhaseEventAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = ("pk", "case", "from_phase", "to_phase", "actor", "at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "case_id", "outcome",
                    "ip_address")
    list_filter = ("action", "outcome")
