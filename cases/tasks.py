"""Celery tasks of the cases app: thin, ids only, idempotent."""

from __future__ import annotations

from celery import shared_task

from .audit_checkpoint import audit_checkpoint_write
from .models.audit import chain_pending


@shared_task(name="cases.tasks.audit_checkpoint", ignore_result=True)
def audit_checkpoint() -> int | None:
    """Beat's checkpoint of the audit chain's head (``cases.audit_checkpoint``): the sequence
    number written, or ``None`` when the chain no longer fits the previous checkpoint."""
    checkpoint = audit_checkpoint_write()
    return checkpoint.seq if checkpoint is not None else None


@shared_task(name="cases.tasks.audit_chain_pending", ignore_result=True)
def audit_chain_pending() -> int:
    """Beat's link of the reads' audit rows (one INSERT each in the request) to the keyed chain
    (``cases.models.audit.chain_pending``): the number of rows linked."""
    total = 0
    while done := chain_pending():
        total += done
    return total
