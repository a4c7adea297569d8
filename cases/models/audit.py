"""The append-only access trail: every create, change and read of patient data (DESIGN.md).

Ids only, never names or MRNs. Rows are never updated or deleted, through the model or its
queryset; the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    LIST = "list", "List"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    TRANSITION = "transition", "Phase transition"
    TICK = "tick", "Checklist tick"
    UNTICK = "untick", "Checklist untick"
    GRANT = "grant", "Access granted"
    EXPORT = "export", "Export"


class AuditOutcome(models.TextChoices):
    OK = "ok", "Allowed"
    DENIED = "denied", "Denied (not visible)"
    FORBIDDEN = "forbidden", "Visible, write refused"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("the audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the audit trail is append-only")


class AuditEvent(models.Model):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="+")
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    # Plain integers, not foreign keys: the trail outlives what it describes.
    case_id = models.BigIntegerField(null=True)
    patient_id = models.BigIntegerField(null=True)
    # A list read: the ids of the cases shown (one row per request, not per case).
    case_ids = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices,
                               default=AuditOutcome.OK)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # "Who looked at this case?" and "what did this person do?"
            models.Index(fields=["case_id", "at"], name="audit_case_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Audit #{self.pk}: {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the audit trail is append-only")
