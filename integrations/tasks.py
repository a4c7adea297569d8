"""Celery tasks of the webhooks: thin, take ids, idempotent (integrations.webhooks)."""

from __future__ import annotations

from celery import shared_task

from . import webhooks


# Routed to the webhook queue (CELERY_TASK_ROUTES); the socket timeouts end an attempt long
# before the time limit, which is only a backstop (a receiver that trickles bytes).
@shared_task(soft_time_limit=60, time_limit=90)
def deliver(delivery_id: int) -> str | None:
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task
def deliver_due() -> int:
    """Beat: enqueue every pending delivery whose attempt is due (retries, lost tasks)."""
    ids = webhooks.deliveries_due()
    for pk in ids:
        deliver.delay(pk)
    return len(ids)
