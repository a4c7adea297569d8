"""Celery tasks of the referral pathway: thin, ids only (never patient data: task arguments sit
in plain text in the broker), idempotent, so a retry or a redelivery is harmless."""

from __future__ import annotations

from smtplib import SMTPException

from celery import Task, shared_task
from django.db import DatabaseError

from . import alerts, services


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


@shared_task(name="referrals.tasks.escalate_due", acks_late=True, ignore_result=True)
def escalate_due() -> int:
    return services.escalate_due()


@shared_task(name="referrals.tasks.resend_unsent_alerts", acks_late=True, ignore_result=True)
def resend_unsent_alerts() -> int:
    return services.resend_unsent_alerts()
