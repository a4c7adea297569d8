"""The Celery application. Every periodic job is declared here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")

app = Celery("tumorboard", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _beat_schedule(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        # Proves that beat and at least one worker are alive (read by /health/).
        "worker-heartbeat": {
            "task": "tumorboard.tasks.heartbeat",
            "schedule": float(settings.WORKER_HEARTBEAT_INTERVAL),
        },
        # Referral SLA escalation: unacknowledged referrals whose next step is due.
        "referrals-escalate-due": {
            "task": "referrals.tasks.escalate_due",
            "schedule": 60.0,
        },
        # The weekend watch (CLINICAL.md §9b): acts from 12:00 service time on a Friday or the
        # day before a public holiday, once per day (a missed noon is caught up).
        "referrals-weekend-watch": {
            "task": "referrals.tasks.weekend_watch",
            "schedule": 900.0,
        },
        # Follow-through tasks (CLINICAL.md §15): overdue alerts the owner, 24 h later the
        # MDT coordinators.
        "followthrough-escalate-overdue": {
            "task": "followthrough.tasks.escalate_overdue",
            "schedule": 60.0,
        },
        # The alert outbox: re-enqueue alerts still unsent (a crash, a broker that lost its queue).
        "referrals-resend-unsent-alerts": {
            "task": "referrals.tasks.resend_unsent_alerts",
            "schedule": 60.0,
        },
        # The audit chain's head, written outside the database (log and file): verify_audit
        # compares the chain with it, so a truncated tail is caught.
        "cases-audit-checkpoint": {
            "task": "cases.tasks.audit_checkpoint",
            "schedule": float(settings.AUDIT_CHECKPOINT_SECONDS),
        },
        # The reads' audit rows (one INSERT in the request) linked to the keyed chain.
        "cases-audit-chain-pending": {
            "task": "cases.tasks.audit_chain_pending",
            "schedule": float(settings.AUDIT_CHAIN_SECONDS),
        },
        # The webhook outbox: deliveries whose (re)try is due, and any whose task was lost.
        "integrations-deliver-due-webhooks": {
            "task": "integrations.tasks.deliver_due",
            "schedule": 30.0,
        },
    }
