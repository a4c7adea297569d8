"""Celery tasks of the cases app: thin, ids only, idempotent."""

from __future__ import annotations

from celery import shared_task

from .audit_checkpoint import audit_checkpoint_write


@shared_task(name="cases.tasks.audit_checkpoint", ignore_result=True)
def audit_checkpoint() -> int | None:
    """Beat's checkpoint of the audit chain's head (``cases.audit_checkpoint``): the sequence
    number written, or ``None`` when the chain no longer fits the previous checkpoint."""
    checkpoint = audit_checkpoint_write()
    return checkpoint.seq if checkpoint is not None else None
