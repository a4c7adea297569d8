"""The append-only access trail: every create, change and read of patient data (DESIGN.md).

Ids only, never names or MRNs. Rows are never updated or deleted, through the model or its
queryset; the admin shows them read-only. A change made behind the application's back (SQL) is
detected by a hash chain: each row stores the hash of the row before it and its own hash, sha256
of that previous hash and the canonical JSON of its fields (``canonical_payload``). The single
``AuditChain`` row holds the chain's head; appending updates it with one
``UPDATE ... RETURNING`` whose row lock serializes concurrent writers, so the chain never forks.
``cases.audit.audit_chain_verify`` walks the chain (``manage.py verify_audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

GENESIS_HASH = "0" * 64


def canonical_payload(event: Any) -> str:
    """The fields an audit row's hash covers, as canonical JSON (sorted keys, no spaces, UTC).

    Takes any object with the AuditEvent fields, so the migration's historical model and the
    verifier use the same definition.
    """
    if event.at is None:
        event.at = timezone.now()
    at = event.at.astimezone(dt.UTC) if timezone.is_aware(event.at) else event.at
    return json.dumps(
        {
            "actor": event.actor_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "case_id": event.case_id,
            "patient_id": event.patient_id,
            "case_ids": event.case_ids,
            "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "ip_address": event.ip_address,
            "path": event.path,
            "outcome": event.outcome,
            "detail": event.detail,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def chain_hash(prev_hash: str, payload: str) -> str:
    """sha256(prev_hash + payload), hex: what the database computes when a row is appended."""
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    LIST = "list", "List"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    TRANSITION = "transition", "Phase transition"
    TICK = "tick", "Checklist tick"
    UNTICK = "untick", "Checklist untick"
    GRANT = "grant", "Access granted"
    REVOKE = "revoke", "Access revoked"
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

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        # bulk_create skips save(), hence the chain: a batch goes through cases.audit.record_many.
        raise RuntimeError("audit rows are chained by save() or cases.audit.record_many")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the audit trail is append-only")


class AuditChain(models.Model):
    """The head of the audit hash chain: one row (pk 1), created by the migration."""

    length = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # The head before the last append: RETURNING gives new values, and the appended row needs
    # the old one as its prev_hash.
    prev_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"Audit chain: {self.length} rows"


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
    # Position in the hash chain (1, 2, ...): a gap is a deleted row.
    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

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
        using = kwargs.get("using") or router.db_for_write(AuditEvent)
        # The head's row lock is held until the surrounding transaction ends, so the chain
        # link and the row commit (or roll back) together.
        with transaction.atomic(using=using, savepoint=False):
            self._chain(using)
            super().save(*args, **kwargs)

    def _chain(self, using: str) -> None:
        """Link this row to the head: one UPDATE ... RETURNING on the AuditChain row."""
        connection = connections[using]
        if connection.vendor == "postgresql":
            digest = "encode(sha256(convert_to(head_hash || %s, 'UTF8')), 'hex')"
        else:  # SQLite: Django registers SHA256() (hex digest of the UTF-8 text)
            digest = "SHA256(head_hash || %s)"
        # Only the table name and one of two constant expressions are formatted in; the payload
        # is a bound parameter.
        table = connection.ops.quote_name(AuditChain._meta.db_table)
        sql = (f"UPDATE {table} SET length = length + 1, prev_hash = head_hash, "  # noqa: S608  # nosec B608
               f"head_hash = {digest} WHERE id = 1 RETURNING length, prev_hash, head_hash")
        payload = canonical_payload(self)
        with connection.cursor() as cursor:
            cursor.execute(sql, [payload])
            row = cursor.fetchone()
            if row is None:
                # The head row is gone (a test database flush, a restore without it): rebuild
                # it from the last row, so the chain continues where it stands and
                # verify_audit still checks every link before it.
                _restore_head(using)
                cursor.execute(sql, [payload])
                row = cursor.fetchone()
        self.seq, self.prev_hash, self.hash = row

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the audit trail is append-only")


def _restore_head(using: str) -> None:
    last = AuditEvent.objects.using(using).exclude(seq=None).order_by("-seq").first()
    AuditChain.objects.using(using).get_or_create(
        pk=1,
        defaults={"length": last.seq if last else 0,
                  "head_hash": last.hash if last else GENESIS_HASH,
                  "prev_hash": last.prev_hash if last else GENESIS_HASH},
    )
