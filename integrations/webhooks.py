"""Webhooks: events written to a database outbox in the transaction of the change, delivered
by Celery after commit, signed as Standard Webhooks (standardwebhooks.com), retried with
exponential backoff.

Each attempt carries ``webhook-id`` (the message: the same on every retry, so a receiver dedupes
on it), ``webhook-timestamp`` (the attempt's own time, so a receiver refuses replays older than
its tolerance, five minutes in the reference libraries) and ``webhook-signature``: ``v1,`` and
the base64 HMAC-SHA256, keyed with the base64-decoded part of the ``whsec_`` secret, over
``{webhook-id}.{webhook-timestamp}.{body}``; during a secret rotation two signatures, space
separated (the new secret's and the previous one's, until its overlap ends).

Payloads carry ids and states only, never a patient's name or MRN. A subscription receives an
event only when its owner may see the case (``case_list_visible_to``). Delivery is at least
once: a receiver dedupes on ``webhook-id``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.access import case_list_visible_to
from cases.models import Case
from tumorboard.models import User

from . import destinations
from .models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105 (the standard's prefix, not a secret)
# A claimed delivery is not claimed again for this long (a worker that died mid-request).
CLAIM_LEASE = timedelta(minutes=2)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id(delivery_id: int) -> str:
    """The ``webhook-id`` of an outbox row: the same on every attempt."""
    return f"msg_{delivery_id}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,`` signature (standardwebhooks.com, Signature scheme)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation overlap lasts."""
    keys = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and now < expires:
        keys.append(subscription.previous_secret)
    return keys


def signed_headers(subscription: WebhookSubscription, msg_id: str, body: bytes,
                   now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt, timestamped ``now``."""
    timestamp = int(now.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(key, msg_id, timestamp, body)
                                      for key in signing_secrets(subscription, now)),
    }


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: base, 2 x base, 4 x base... capped at six hours."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver

    for pk in ids:
        try:
            deliver.delay(pk)
        except Exception:  # the broker is down: the beat scan sends the row later
            log.warning("webhook delivery %s not enqueued; the beat scan will retry", pk)


def event_publish(*, event: WebhookEvent, case: Case, data: dict[str, Any],
                  readable: Callable[[User], bool] | None = None) -> list[int]:
    """Write one outbox row per interested subscription (inside the caller's transaction) and
    enqueue them after commit. ``data`` holds ids and states only. A subscription gets the event
    only when its owner sees the case and, with ``readable``, everything else the event names
    (a webhook never points at something its subscriber cannot read)."""
    subscriptions = [
        sub for sub in WebhookSubscription.objects.filter(active=True).select_related("owner")
        if event.value in sub.events
        and case_list_visible_to(user=sub.owner).filter(pk=case.pk).exists()
        and (readable is None or readable(sub.owner))
    ]
    now = timezone.now()
    ids = []
    for sub in subscriptions:
        row = WebhookDelivery.objects.create(subscription=sub, event=event.value, payload={},
                                             next_attempt_at=now)
        payload = {"event": event.value, "delivery": row.pk, "occurred_at": now.isoformat(),
                   "case": case.pk, "data": data}
        row.payload = payload
        row.save(update_fields=["payload"])
        ids.append(row.pk)
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


def referral_state_changed(*, referral: Any, from_status: str, to_status: str,
                           at: datetime) -> None:
    """Every change of a referral's state (integrations.receivers, on
    referrals.signals.referral_status_changed)."""
    if from_status == to_status:
        return
    event_publish(event=WebhookEvent.REFERRAL_STATE_CHANGED, case=referral.case, data={
        "referral": referral.pk, "direction": referral.direction, "from_status": from_status,
        "to_status": to_status, "urgency": referral.urgency, "at": at.isoformat(),
    })


def meeting_decisions_finalized(*, meeting: Any) -> None:
    """On meetings' decisions_finalized (integrations.receivers): one event per decision, to the
    subscribers who may read both the case and the meeting it names."""
    from meetings.models import Decision
    from meetings.selectors import meeting_list_visible_to

    seen: dict[int, bool] = {}  # per subscriber, once for all the meeting's decisions

    def sees_meeting(owner: User) -> bool:
        if owner.pk not in seen:
            seen[owner.pk] = meeting_list_visible_to(user=owner).filter(pk=meeting.pk).exists()
        return seen[owner.pk]

    for decision in Decision.objects.filter(item__meeting=meeting).select_related("item__case"):
        event_publish(event=WebhookEvent.DECISION_FINALIZED, case=decision.item.case,
                      readable=sees_meeting, data={
            "decision": decision.pk, "meeting": meeting.pk, "pathway": decision.pathway,
            "stabilisation": decision.stabilisation, "urgency": decision.urgency,
            "finalized_at": (meeting.finalized_at or timezone.now()).isoformat(),
        })


def _claim(delivery_id: int, now: datetime) -> bool:
    """Exactly one worker sends a due delivery: a conditional update that only one wins."""
    return WebhookDelivery.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        pk=delivery_id, status=DeliveryStatus.PENDING,
    ).update(next_attempt_at=now + CLAIM_LEASE) == 1


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST once to a checked address (integrations.destinations); (status, error).

    Redirects are not followed: a 3xx is a failed attempt (a receiver could otherwise bounce
    the worker to an internal address). Short timeouts to connect and to read the answer.
    """
    try:
        connection, destination = destinations.pinned_connection(
            url, connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except destinations.DestinationRefused as refusal:
        return 0, str(refusal)
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        answer = connection.getresponse()
        code = answer.status
    except (OSError, http.client.HTTPException, ValueError) as error:
        return 0, type(error).__name__
    finally:
        connection.close()
    if 300 <= code < 400:
        return code, f"HTTP {code}: redirects are not followed"
    if not 200 <= code < 300:
        return code, f"HTTP {code}"
    return code, ""


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one due delivery once; idempotent (a delivered or claimed row is left alone).

    Returns the row's status after the attempt, or ``None`` when there was nothing to do.
    """
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    row = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    body = body_of(row.payload)
    # Signed now, at this attempt (``now`` may be a scheduled time): a retry is never a replay
    # of stale headers.
    code, error = _post(row.subscription.url, body, {
        "Content-Type": "application/json",
        "User-Agent": "tumorboard-webhooks/2",
        "X-Tumorboard-Event": row.event,
        **signed_headers(row.subscription, message_id(row.pk), body, timezone.now()),
    })
    attempts = row.attempts + 1
    done = timezone.now()
    changes: dict[str, Any] = {"attempts": F("attempts") + 1, "last_error": error[:200],
                               "status_codes": [*row.status_codes, code]}
    if 200 <= code < 300:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=done, next_attempt_at=None)
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=done + backoff(attempts))
    WebhookDelivery.objects.filter(pk=row.pk).update(**changes)
    # Ids, the event and the answer only: never the payload.
    log.info("webhook delivery %s (%s) attempt %s: %s", row.pk, row.event, attempts,
             code or error)
    return str(changes["status"]) if "status" in changes else DeliveryStatus.PENDING


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of pending deliveries whose attempt is due (the beat scan; lost tasks come back)."""
    now = now or timezone.now()
    return list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING,
                                               next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
