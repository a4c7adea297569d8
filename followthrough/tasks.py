"""Celery tasks of the follow-through: thin, take nothing, call the service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="followthrough.tasks.escalate_overdue")
def escalate_overdue() -> dict[str, int]:
    """Beat, every minute: overdue tasks alert their owner, then the coordinators (§15)."""
    return services.escalate_overdue()


@shared_task(name="followthrough.tasks.issue_minutes", autoretry_for=(OSError,),
             retry_backoff=True, max_retries=5)
def issue_minutes(signoff_id: int) -> bool:
    """Render and store the signed minutes (followthrough.minutes); idempotent."""
    from . import minutes

    return minutes.minutes_issue(signoff_id=signoff_id)
