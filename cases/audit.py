"""Writing the audit trail (the model is cases.models.AuditEvent).

Services call ``record`` for writes inside their transaction; views and API views call it for
reads. Where the request came from (IP address, path) is taken from the request that
django-simple-history's middleware already keeps for the current thread, so no layer has to pass
it down. Ids only: a name or an MRN never goes in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from tumorboard.models import User

from .models import AuditAction, AuditEvent, AuditOutcome, Case


def _request_origin() -> tuple[str | None, str]:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None, ""
    # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a configured proxy (deploy/).
    return request.META.get("REMOTE_ADDR") or None, request.path[:300]


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    case: Case | None = None,
    object_type: str = "",
    object_id: int | None = None,
    case_ids: Iterable[int] | None = None,
    outcome: str = AuditOutcome.OK,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    ip_address, path = _request_origin()
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = obj.pk
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case.pk if case is not None else None,
        patient_id=case.patient_id if case is not None else None,
        case_ids=list(case_ids) if case_ids is not None else None,
        ip_address=ip_address,
        path=path,
        outcome=outcome,
        detail=detail or {},
    )


def record_case_read(*, actor: User, case: Case, what: str = "case") -> AuditEvent:
    return record(actor=actor, action=AuditAction.VIEW, case=case, object_type=what,
                  object_id=case.pk)


def record_list_read(*, actor: User, case_ids: Iterable[int], what: str = "case_list") -> None:
    record(actor=actor, action=AuditAction.LIST, object_type=what, case_ids=case_ids)


def record_denied(*, actor: User, case_id: object, what: str = "case") -> None:
    """An attempt on a case the person may not see (answered 404)."""
    record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=what,
        object_id=case_id if isinstance(case_id, int) else None,
        outcome=AuditOutcome.DENIED,
    )
