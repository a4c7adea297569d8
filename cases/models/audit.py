"""The append-only access trail: every create, change and read of patient data (DESIGN.md).

Ids only, never names or MRNs. Rows are never updated or deleted, through the model or its
queryset; the admin shows them read-only. A change made behind the application's back (SQL) is
detected by a keyed chain: each row stores the MAC of the row before it (``prev_hash``) and its
own (``hash``), HMAC-SHA256 under ``settings.AUDIT_HMAC_KEY`` of that previous MAC and the
canonical JSON of its fields (``canonical_payload``). The key comes from the environment and the
database never holds it, so someone with SQL access can neither rewrite a row nor recompute the
chain after it (an unkeyed SHA-256 chain, used until migration 0005, let them do both).

The single ``AuditChain`` row holds the chain's head. Appending locks it (``SELECT ... FOR
UPDATE``), so concurrent writers never fork the chain; the MAC is computed here, in Python, and
never in SQL, where the key would travel in the statement text (``pg_stat_activity``, the
server's log). Removing the last rows together with the head is caught by the checkpoint of the
head that beat writes outside the database (``cases.audit_checkpoint``).
``cases.audit.audit_chain_verify`` walks the chain (``manage.py verify_audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone

GENESIS_HASH = "0" * 64
#: What a read's row is sealed with until it is chained: HMAC(key, PENDING_LINK + payload). Not
#: a MAC (64 hex digits), so a seal is never mistaken for a link.
PENDING_LINK = "pending:"
#: The read actions, whose rows are written with one INSERT and chained out of the request.
READ_ACTIONS = ("view", "list")


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


def audit_key() -> bytes:
    """The chain's key: ``AUDIT_HMAC_KEY`` from the environment (settings derive one from
    ``SECRET_KEY`` in development only)."""
    return str(settings.AUDIT_HMAC_KEY).encode()


def chain_hash(prev_hash: str, payload: str, *, key: bytes | None = None) -> str:
    """HMAC-SHA256(key, prev_hash + payload), hex: the link of one row to the row before."""
    return hmac.new(key if key is not None else audit_key(), (prev_hash + payload).encode(),
                    hashlib.sha256).hexdigest()


def legacy_chain_hash(prev_hash: str, payload: str) -> str:
    """sha256(prev_hash + payload), hex: the unkeyed link written until migration 0005 (kept for
    migrations 0003 and 0005 only; anyone can recompute it)."""
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
            head = lock_head(using)
            self.seq, self.prev_hash = head.length + 1, head.head_hash
            self.hash = chain_hash(self.prev_hash, canonical_payload(self))
            AuditChain.objects.using(using).filter(pk=1).update(
                length=self.seq, prev_hash=self.prev_hash, head_hash=self.hash)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the audit trail is append-only")


def pending_seal(event: Any, *, key: bytes | None = None) -> str:
    """The MAC of a row written outside the chain (a read): the key over its fields, so that a
    pending row changed or made behind the application's back is told apart from ours."""
    return chain_hash(PENDING_LINK, canonical_payload(event), key=key)


def insert_pending(event: AuditEvent) -> AuditEvent:
    """Write a read's row with one INSERT, sealed but not yet in the chain (``seq`` null):
    the request never waits for the chain head's lock. ``chain_pending`` links it later."""
    if event.pk is not None:
        raise RuntimeError("the audit trail is append-only")
    event.seq, event.prev_hash = None, ""
    event.hash = pending_seal(event)
    models.Model.save(event, force_insert=True)
    return event


def chain_pending(*, limit: int = 5000, using: str | None = None) -> int:
    """Link the rows written outside the chain (reads, ``insert_pending``) to its end, oldest
    first, under the head's lock: beat runs it every ``AUDIT_CHAIN_SECONDS``, the checkpoint and
    ``verify_audit`` before they read the head. A row whose seal does not fit (changed or made
    behind the application's back) is left out of the chain, where ``audit_chain_verify``
    reports it. Returns the number of rows chained."""
    using = using or router.db_for_write(AuditEvent)
    key = audit_key()
    with transaction.atomic(using=using):
        if not AuditEvent.objects.using(using).filter(seq=None).exists():
            return 0
        head = lock_head(using)
        plain: models.QuerySet[AuditEvent] = models.QuerySet(AuditEvent, using=using)
        rows = list(plain.filter(seq=None).order_by("pk")[:limit])
        seq, prev, linked = head.length, head.head_hash, []
        for row in rows:
            if not hmac.compare_digest(pending_seal(row, key=key), row.hash):
                continue
            seq += 1
            row.seq, row.prev_hash = seq, prev
            row.hash = prev = chain_hash(prev, canonical_payload(row), key=key)
            linked.append(row)
        if linked:
            plain.bulk_update(linked, ["seq", "prev_hash", "hash"], batch_size=1000)
            AuditChain.objects.using(using).filter(pk=1).update(
                length=seq, prev_hash=linked[-1].prev_hash, head_hash=prev)
        return len(linked)


def lock_head(using: str) -> AuditChain:
    """The chain's head, locked until the transaction ends (``SELECT ... FOR UPDATE``; SQLite's
    IMMEDIATE transactions already serialise writers). A missing head (a flushed test
    database, a restore without it) is rebuilt from the last row, so the chain continues where
    it stands; the checkpoint catches a head removed together with the rows after it."""
    head = AuditChain.objects.using(using).select_for_update().filter(pk=1).first()
    if head is None:
        _restore_head(using)
        head = AuditChain.objects.using(using).select_for_update().get(pk=1)
    return head


def _restore_head(using: str) -> None:
    last = AuditEvent.objects.using(using).exclude(seq=None).order_by("-seq").first()
    AuditChain.objects.using(using).get_or_create(
        pk=1,
        defaults={"length": last.seq if last else 0,
                  "head_hash": last.hash if last else GENESIS_HASH,
                  "prev_hash": last.prev_hash if last else GENESIS_HASH},
    )
