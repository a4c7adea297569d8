"""Writing the audit trail (the model is cases.models.AuditEvent).

Services call ``record`` for writes inside their transaction; views and API views call it for
reads. Where the request came from (IP address, path) is taken from the request that
django-simple-history's middleware already keeps for the current thread, so no layer has to pass
it down. Ids only: a name or an MRN never goes in.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, router, transaction
from simple_history.models import HistoricalRecords

from tumorboard.clientip import client_ip
from tumorboard.models import User

from .audit_checkpoint import CheckpointInvalid, checkpoint_read, mismatch_text
from .models import AuditAction, AuditChain, AuditEvent, AuditOutcome, Case
from .models.audit import (
    GENESIS_HASH,
    READ_ACTIONS,
    audit_key,
    canonical_payload,
    chain_hash,
    insert_pending,
    lock_head,
    pending_seal,
)
from .models.audit import chain_pending as chain_pending  # the beat job's, re-exported


def _request_origin() -> tuple[str | None, str]:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None, ""
    # The client's address: X-Real-IP from a trusted proxy (nginx), else REMOTE_ADDR.
    return client_ip(request), request.path[:300]


def entry(
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
    patient_id: int | None = None,
) -> AuditEvent:
    """One unsaved audit row: ``record`` appends it, ``record_many`` appends many at once.
    ``patient_id`` is for a patient read without a case (the admin)."""
    ip_address, path = _request_origin()
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = obj.pk
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case.pk if case is not None else None,
        patient_id=case.patient_id if case is not None else patient_id,
        case_ids=list(case_ids) if case_ids is not None else None,
        ip_address=ip_address,
        path=path,
        outcome=outcome,
        detail=detail or {},
    )


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
    patient_id: int | None = None,
) -> AuditEvent:
    """Append one row. A change (``AuditEvent.save``) is linked to the chain in its transaction;
    a read (view, list: the read path of every page) is one INSERT, sealed with the key and
    linked to the chain out of the request (``chain_pending``), so that reads never queue on
    the chain head's lock."""
    event = entry(actor=actor, action=action, obj=obj, case=case, object_type=object_type,
                  object_id=object_id, case_ids=case_ids, outcome=outcome, detail=detail,
                  patient_id=patient_id)
    if action in READ_ACTIONS:
        return insert_pending(event)
    event.save(force_insert=True)
    return event


def record_many(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Append ``events`` (made by ``entry``) to the chain, in order, under one lock of the head:
    three queries for any number of rows, as ``record`` takes for one (the batch jobs: the
    escalation pass).

    The head row is locked (``lock_head``) until the surrounding transaction ends, exactly as
    ``AuditEvent.save`` holds it, so the two interleave without forking the chain. Each link is
    ``chain_hash``, the HMAC that ``audit_chain_verify`` recomputes.
    """
    if not events:
        return []
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using, savepoint=False):
        head = lock_head(using)
        key = audit_key()
        seq, prev = head.length, head.head_hash
        for event in events:
            if event.pk is not None:
                raise RuntimeError("the audit trail is append-only")
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = chain_hash(prev, canonical_payload(event), key=key)
        AuditChain.objects.using(using).filter(pk=1).update(
            length=seq, prev_hash=events[-1].prev_hash, head_hash=prev)
        # The plain queryset: AuditEvent.objects refuses bulk_create because it skips save()'s
        # chaining; these rows were chained above.
        plain: models.QuerySet[AuditEvent] = models.QuerySet(AuditEvent, using=using)
        return plain.bulk_create(events)


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


@dataclass(frozen=True)
class ChainReport:
    """What ``audit_chain_verify`` found: the rows checked, each break (ids, never PHI), and
    notes that are not breaks (which checkpoint was compared, or that none was)."""

    checked: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_chain_verify(*, max_problems: int = 20,
                       checkpoint_file: Path | None = None) -> ChainReport:
    """Walk the audit chain in order and report every row that does not fit.

    Detects a row changed behind the application's back (its HMAC no longer matches its
    fields; without ``AUDIT_HMAC_KEY`` nobody can compute a new one), a row deleted (a gap in
    ``seq`` or a broken ``prev_hash`` link), a row inserted without the chain, a truncated tail
    (the head no longer matches the last row) and, against the latest checkpoint written
    outside the database (``cases.audit_checkpoint``; ``checkpoint_file`` or
    ``AUDIT_CHECKPOINT_FILE``), a tail removed together with the head.
    Reads in chunks, so it runs in constant memory on a long trail.
    """
    problems: list[str] = []
    notes: list[str] = []

    def problem(text: str) -> None:
        if len(problems) < max_problems:
            problems.append(text)

    try:
        checkpoint = checkpoint_read(checkpoint_file)
    except CheckpointInvalid as exc:
        problem(str(exc))
        checkpoint = None
    key = audit_key()
    mac_at_checkpoint: str | None = None
    prev, expected_seq, checked, pending = GENESIS_HASH, 1, 0, 0
    for event in AuditEvent.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        checked += 1
        if event.seq is None:
            # A read not yet linked (chain_pending): ours if its seal fits.
            if hmac.compare_digest(pending_seal(event, key=key), event.hash):
                pending += 1
            else:
                problem(f"audit row {event.pk} is outside the chain (no seq)")
            continue
        if event.seq != expected_seq:
            problem(f"audit rows missing before seq {event.seq} (expected seq {expected_seq})")
        if event.prev_hash != prev:
            problem(f"audit row {event.pk} (seq {event.seq}) does not link to the row before")
        if not hmac.compare_digest(chain_hash(event.prev_hash, canonical_payload(event), key=key),
                                   event.hash):
            problem(f"audit row {event.pk} (seq {event.seq}) was changed after it was written")
        if checkpoint is not None and event.seq == checkpoint.seq:
            mac_at_checkpoint = event.hash
        prev, expected_seq = event.hash, event.seq + 1
    head = AuditChain.objects.filter(pk=1).first()
    if head is None:
        problem("the audit chain head is missing")
    elif head.length != expected_seq - 1 or head.head_hash != prev:
        problem(f"the chain head (length {head.length}) does not match the last row "
                f"(seq {expected_seq - 1}): rows were removed from the end")
    if checkpoint is None:
        notes.append("no audit checkpoint to compare with yet (beat writes one every "
                     "AUDIT_CHECKPOINT_SECONDS): rows removed from the end with the head row "
                     "would not be seen")
    elif checkpoint.seq > 0:
        mismatch = mismatch_text(checkpoint, mac_at_checkpoint)
        if mismatch is not None:
            problem(mismatch)
        else:
            notes.append(f"matches the audit checkpoint of {checkpoint.at} (seq {checkpoint.seq})")
    if pending:
        notes.append(f"{pending} read(s) sealed and not yet linked to the chain (beat links "
                     "them every AUDIT_CHAIN_SECONDS)")
    return ChainReport(checked=checked, problems=problems, notes=notes)
