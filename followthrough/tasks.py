"""Celery tasks of the follow-through: thin, take nothing, call the service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="followthrough.tasks.escalate_overdue")
def escalate_overdue() -> dict[str, int]:
    """Beat, every minute: overdue tasks alert their owner, then the coordinators (§15)."""
    return services.escalate_overdue()
