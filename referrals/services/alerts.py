"""Alert rows and the outbox: one alert per recipient, deduplicated by its key, published on
commit (ids only); the outbox beat job publishes again what is still unsent. Delivery (the
e-mail, exactly once) is ``referrals.alerts``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from tumorboard.models import User

from ..models import Alert, Referral

logger = logging.getLogger(__name__)


def _enqueue(alert_ids: list[int]) -> None:
    """Publish the delivery tasks. Best effort: a broker that is down loses nothing, the outbox
    beat job re-enqueues every alert still unsent (ALERT_OUTBOX_RESEND_AFTER_SECONDS)."""
    from ..tasks import deliver_alert  # referrals.tasks imports the services

    for alert_id in alert_ids:
        try:
            deliver_alert.delay(alert_id)
        except Exception:
            logger.warning("alert %s not enqueued; the outbox will resend it", alert_id,
                           exc_info=True)


def alerts_insert(wanted: Mapping[int, Iterable[User]], *, kind: str, step: int,
                  about: str = "referral") -> dict[int, list[int]]:
    """The alert rows for ``{referral id: recipients}`` (``about="case"``: ``{case id:
    recipients}``, alerts about a case without a referral): one per recipient, deduplicated by
    the key (referral or case, recipient, kind, step); three queries for any number of them.
    Returns the ids of the new alerts by referral (or case) id. Publishing them is the
    caller's."""
    field = f"{about}_id"
    rows = Alert.objects.filter(kind=kind, step=step)
    if about == "case":
        rows = rows.filter(referral=None)
    people = {key: list({user.pk: user for user in users}) for key, users in wanted.items()}
    people = {key: users for key, users in people.items() if users}
    if not people:
        return {}
    existing = set(rows.filter(**{f"{field}__in": people})
                   .values_list(field, "recipient_id"))
    new = [Alert(**{field: key}, recipient_id=user_id, kind=kind, step=step)
           for key, users in people.items() for user_id in users
           if (key, user_id) not in existing]
    if not new:
        return {}
    # ignore_conflicts: a concurrent writer of the same key wins quietly (the unique key).
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    keys = {(getattr(alert, field), alert.recipient_id) for alert in new}
    created: dict[int, list[int]] = {}
    for pk, key, user_id in (
            rows.filter(**{f"{field}__in": {k for k, _ in keys}}, sent_at=None)
            .order_by("pk").values_list("pk", field, "recipient_id")):
        if (key, user_id) in keys:
            created.setdefault(key, []).append(pk)
    return created


def alerts_create(
    *, referral: Referral, recipients: Iterable[User], kind: str, step: int = 0
) -> list[int]:
    """One alert per recipient, deduplicated by the key (referral, recipient, kind, step); the
    deliveries are enqueued when the transaction commits. Returns the ids of new alerts."""
    ids = alerts_insert({referral.pk: recipients}, kind=kind, step=step).get(referral.pk, [])
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


def case_alerts_create(*, case: Case, recipients: Iterable[User], kind: str,
                       step: int = 0) -> list[int]:
    """Alerts about a case without a referral (the responsible clinician of an MDT decision):
    as ``alerts_create``, deduplicated by (case, recipient, kind, step)."""
    ids = alerts_insert({case.pk: recipients}, kind=kind, step=step, about="case").get(
        case.pk, [])
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    """The recipient has read the alert (the bell). Idempotent."""
    if alert.recipient_id != actor.pk:
        raise PermissionDenied("only the recipient acknowledges an alert")
    Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(acknowledged_at=timezone.now())
    alert.refresh_from_db()
    return alert


def resend_unsent_alerts(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The outbox (beat, every minute): enqueue again every alert still unsent
    ALERT_OUTBOX_RESEND_AFTER_SECONDS after its commit, so an alert survives a crash between
    commit and publish and a broker that lost its queue. Delivery is idempotent, so a duplicate
    task is harmless. Uses the index ``alert_outbox_idx``. Gives up after ALERT_MAX_ATTEMPTS."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ALERT_OUTBOX_RESEND_AFTER_SECONDS)
    ids = list(Alert.objects.filter(sent_at=None, created_at__lt=cutoff,
                                    attempts__lt=settings.ALERT_MAX_ATTEMPTS)
               .order_by("created_at").values_list("pk", flat=True)[:limit])
    _enqueue(ids)
    return len(ids)
