"""Celery tasks of the referral pathway: thin, ids only (never patient data: task arguments sit
in plain text in the broker), idempotent, so a retry or a redelivery is harmless."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import Task, shared_task
from django.db import DatabaseError

from . import alerts, services
from . import weekend_watch as watch

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="referrals.tasks.deliver_alert",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    ignore_result=True,
)
def deliver_alert(self: Task, alert_id: int) -> bool:
    return alerts.alert_deliver(alert_id=int(alert_id))


@shared_task(name="referrals.tasks.deliver_alerts", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def deliver_alerts(alert_ids: list[int]) -> int:
    """The e-mails of a batch of alerts (the escalation pass publishes one task per
    ALERTS_PER_TASK alerts).

    Each alert is delivered as by ``deliver_alert``, so a redelivered batch (a dead worker)
    sends only what is still unsent. An alert whose delivery fails is handed to a
    ``deliver_alert`` task of its own, with that task's retries and backoff, and the rest of
    the batch goes on. Returns the number of e-mails this run sent.
    """
    sent = 0
    for alert_id in alert_ids:
        try:
            sent += alerts.alert_deliver(alert_id=int(alert_id))
        except (SMTPException, OSError, DatabaseError):
            logger.warning("alert %s: delivery failed, retried by its own task", alert_id,
                           exc_info=True)
            deliver_alert.delay(alert_id)
    return sent


@shared_task(name="referrals.tasks.escalate_due", acks_late=True, ignore_result=True)
def escalate_due() -> int:
    return services.escalate_due()


@shared_task(name="referrals.tasks.resend_unsent_alerts", acks_late=True, ignore_result=True)
def resend_unsent_alerts() -> int:
    return services.resend_unsent_alerts()


@shared_task(name="referrals.tasks.weekend_watch", acks_late=True, ignore_result=True)
def weekend_watch() -> int:
    """The weekend watch (CLINICAL.md §9b); acts only from 12:00 on a watch day, idempotent."""
    return watch.weekend_watch()
