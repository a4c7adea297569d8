"""Celery tasks of the webhooks: thin, take ids, idempotent (integrations.webhooks)."""

from __future__ import annotations

from celery import shared_task

from . import webhooks


@shared_task
def deliver(delivery_id: int) -> str | None:
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task
def deliver_due() -> int:
    """Beat: enqueue every pending delivery whose attempt is due (retries, lost tasks)."""
    ids = webhooks.deliveries_due()
    for pk in ids:
        deliver.delay(pk)
    return len(ids)
