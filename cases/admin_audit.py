"""Every admin page that shows patient data writes an audit row (DESIGN.md: "every admin read of
patient data is audited").

``AuditedAdmin`` is mixed into each ``ModelAdmin`` whose rows are patient data, in whatever app
registers it (cases, referrals, meetings): the list page records the ids of the rows it shows
and the cases behind them, the change (or view) page and the history pages record the object
and its case. ``audit_case_path`` is the lookup from the model to its case id (``"case_id"``,
``"referral__case_id"``, ``"items__case_id"`` for a meeting's agenda); the patient admin sets
``audit_patient`` instead. One query finds the cases of a page, whatever its length. Ids only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest, HttpResponse

from . import audit
from .models import AuditAction, Case


class AuditedAdmin:
    """Mixin for a ``ModelAdmin`` (first in the bases, so its views wrap the admin's)."""

    #: Lookup from the model to the id of its case; ``None`` for a model with no case.
    audit_case_path: str | None = "case_id"
    #: The model is the patient itself: its pk goes in the audit row's ``patient_id``.
    audit_patient: bool = False

    model: Any

    def _audit_type(self) -> str:
        return f"admin_{self.model._meta.model_name}"

    def _audit_case_ids(self, pks: Iterable[Any]) -> list[int]:
        pks = list(pks)
        if not pks or self.audit_case_path is None:
            return []
        rows = (self.model._default_manager.filter(pk__in=pks)
                .values_list(self.audit_case_path, flat=True).distinct())
        return sorted(case_id for case_id in rows if case_id is not None)

    def _audit_one(self, request: HttpRequest, object_id: str, *, what: str = "") -> None:
        # An id that cannot be a key (beyond 64 bits) is no object: never written to the row.
        text = str(object_id)
        pk = int(text) if text.isdigit() and len(text) <= 18 else None
        subject: dict[str, Any] = {}
        if pk is not None and self.audit_patient:
            subject["patient_id"] = pk
        elif pk is not None:
            case_ids = self._audit_case_ids([pk])
            if len(case_ids) == 1:
                # The audit row takes the case's pk and patient_id only.
                subject["case"] = Case.objects.only("pk", "patient_id").get(pk=case_ids[0])
            elif case_ids:
                subject["case_ids"] = case_ids
        audit.record(actor=request.user, action=AuditAction.VIEW,  # type: ignore[arg-type]
                     object_type=self._audit_type() + what, object_id=pk, **subject)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        pks = [row.pk for row in changelist.result_list]
        detail: dict[str, Any] = {"ids": pks}
        audit.record(actor=request.user, action=AuditAction.LIST,  # type: ignore[arg-type]
                     object_type=self._audit_type(), case_ids=self._audit_case_ids(pks),
                     detail=detail)
        return changelist

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> HttpResponse:
        self._audit_one(request, object_id)
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: Any = None) -> HttpResponse:
        self._audit_one(request, object_id, what="_history")
        return super().history_view(  # type: ignore[misc]
            request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> HttpResponse:
        # django-simple-history: one past version of the row, with all its fields.
        self._audit_one(request, object_id, what="_history")
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context)
