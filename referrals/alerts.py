"""Alert delivery: the e-mail of one ``Alert`` row, sent exactly once (DESIGN.md, quality bars).

The in-app alert is the row itself: it exists from the commit of the change that created it, so
it is delivered exactly once by construction. The e-mail is the hard part; the design:

1. ``attempts`` / ``claimed_at`` are bumped in their own committed update, for diagnostics only.
2. One transaction: lock the row with ``SELECT ... FOR UPDATE SKIP LOCKED`` where ``sent_at IS
   NULL``; send the e-mail; set ``sent_at``; commit. A second run of the task (a duplicate
   enqueue, a Celery retry, a redelivery, the outbox) either skips the locked row while the first
   is sending, or finds ``sent_at`` set: it never sends. This is the conditional claim, held by
   the database lock instead of a claim column.
3. A worker that dies before the commit (SIGKILL, OOM, a lost host) drops its connection; the
   database rolls back and releases the lock *at once*. The redelivered task (``acks_late`` +
   ``reject_on_worker_lost``) or the outbox claims the row again and sends. No stale-claim
   timeout to tune: a committed claim column would block the redelivery until the timeout, and a
   timeout shorter than the slowest SMTP exchange would let two senders in.

The honest limit: between the SMTP server accepting the message and the commit of ``sent_at``
(milliseconds) the service cannot know whether the e-mail left. A death in exactly that window
sends it again on redelivery: at-least-once there, never at-most-once, because for a red referral
a duplicate e-mail is harmless and a lost one is not. The ``Message-ID`` is fixed per alert, so
mail systems that deduplicate by it show one message even then.

E-mails carry ids, urgency, due time and a link: never a patient name or MRN (CLINICAL data
leaves the hospital's systems by e-mail).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tumorboard.labels import URGENCY
from tumorboard.timezones import plain_time

from .models import Alert

logger = logging.getLogger(__name__)

SUBJECT = {
    Alert.Kind.NEW_REFERRAL: "New referral",
    Alert.Kind.REFERRAL_UPDATED: "New triggers on a referral",
    Alert.Kind.SYSTEMIC_THERAPY_HOLD: "High-grade cord compression: hold or adjust systemic "
                                      "therapy",
    Alert.Kind.INFO_REQUESTED: "Information requested on your referral",
    Alert.Kind.ANSWERED: "Referral question answered",
    Alert.Kind.DECIDED: "Triage decision on your referral",
    Alert.Kind.ESCALATION_TEAM: "Overdue referral (escalation)",
    Alert.Kind.ESCALATION_LEAD: "Overdue referral (escalated to lead and coordinator)",
    Alert.Kind.CANCELLED: "Referral cancelled by the referring team",
    Alert.Kind.DECISION_RESPONSIBLE: "You are the responsible clinician of an MDT decision",
    Alert.Kind.WEEKEND_WATCH: "Weekend watch: due or escalating before the next working day",
    Alert.Kind.TASK_ASSIGNED: "A follow-through task of an MDT decision is yours",
    Alert.Kind.TASK_UNASSIGNED: "A follow-through task has no owner: assign it",
    Alert.Kind.TASK_OVERDUE: "Your follow-through task is overdue",
    Alert.Kind.TASK_ESCALATED: "A follow-through task is overdue by more than 24 hours",
}


def alert_message(alert: Alert) -> EmailMessage:
    """The e-mail of an alert: ids, urgency, due time and a link; no patient identifier."""
    referral = alert.referral
    if referral is None:  # an alert about a case (an MDT decision), not a referral
        link = settings.SERVICE_BASE_URL + reverse("cases:case-detail", args=[alert.case_id])
        return EmailMessage(
            subject=f"[Tumor board] Case {alert.case_id}: {SUBJECT[Alert.Kind(alert.kind)]}",
            body=(f"{SUBJECT[Alert.Kind(alert.kind)]}.\n\nCase: {alert.case_id}\n\n"
                  f"Open it (login required): {link}\n"),
            to=[alert.recipient.email],
            headers={"Message-ID": f"<alert-{alert.pk}@tumorboard>"},
        )
    urgency = URGENCY.get(referral.urgency, "No urgency")
    due = plain_time(referral.due_at, alert.recipient) if referral.due_at else "none"
    link = settings.SERVICE_BASE_URL + reverse("referrals:referral-detail", args=[referral.pk])
    body = (
        f"{SUBJECT[Alert.Kind(alert.kind)]}.\n\n"
        f"Referral: {referral.pk} ({referral.get_direction_display()})\n"
        f"Urgency: {urgency}\nDue: {due}\nStatus: {referral.get_status_display()}\n\n"
        f"Open it (login required): {link}\n"
    )
    message = EmailMessage(
        subject=f"[Tumor board] {(referral.urgency or 'new').upper()} referral {referral.pk}: "
                f"{SUBJECT[Alert.Kind(alert.kind)]}",
        body=body,
        to=[alert.recipient.email],
        headers={"Message-ID": f"<alert-{alert.pk}@tumorboard>"},
    )
    return message


def alert_deliver(*, alert_id: int) -> bool:
    """Send the e-mail of alert ``alert_id`` unless it was sent; True when this call sent it.

    Exactly once under duplicate and concurrent runs and worker death, at-least-once only in the
    SMTP-accepted-but-not-committed window (module docstring). Raises on SMTP failure, so the
    Celery task retries; the row stays unsent and unlocked.
    """
    now = timezone.now()
    touched = Alert.objects.filter(pk=alert_id, sent_at=None).update(
        attempts=F("attempts") + 1, claimed_at=now)
    if not touched:
        return False  # sent already, or no such alert (deleted with its referral)
    with transaction.atomic():
        alert = (Alert.objects.select_for_update(skip_locked=True, of=("self",))
                 .select_related("recipient", "referral")
                 .filter(pk=alert_id, sent_at=None).first())
        if alert is None:
            return False  # another run holds it (it sends) or has just sent it
        if alert.recipient.email and alert.recipient.is_active:
            alert_message(alert).send(fail_silently=False)
        else:
            alert.email_skipped = True
        alert.sent_at = timezone.now()
        alert.save(update_fields=["sent_at", "email_skipped"])
    logger.info("alert %s delivered (attempt %s)", alert_id, alert.attempts + 1)
    return True
