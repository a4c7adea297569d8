"""The event rows of a referral (who, when, from, to, why), written in the transaction of the
change; a change of status is announced with ``referrals.signals.referral_status_changed`` in
the same transaction (a higher app writes its outbox rows there, in the same transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from tumorboard.models import User

from ..models import Referral, ReferralEvent
from ..signals import referral_status_changed


def event_row(referral: Referral, action: str, actor: User | None, *, from_status: str = "",
              to_status: str = "", note: str = "", at: datetime | None = None,
              **detail: Any) -> ReferralEvent:
    """An unsaved event: ``event_write`` writes one, the escalation pass many
    (``events_write``)."""
    return ReferralEvent(
        referral=referral, action=action, from_status=from_status,
        to_status=to_status or referral.status, actor=actor, at=at or timezone.now(), note=note,
        detail=detail,
    )


def events_write(events: list[ReferralEvent]) -> list[ReferralEvent]:
    """Write the events in one INSERT, then send ``referral_status_changed`` for each event that
    changed the status, still inside the caller's transaction (nothing for an event that keeps
    the status: extend, escalate, work-up tick)."""
    ReferralEvent.objects.bulk_create(events)
    for event in events:
        if event.from_status != event.to_status:
            referral_status_changed.send(
                sender=Referral, referral=event.referral, from_status=event.from_status,
                to_status=event.to_status, at=event.at)
    return events


def event_write(referral: Referral, action: str, actor: User | None, *, from_status: str = "",
                to_status: str = "", note: str = "", at: datetime | None = None,
                **detail: Any) -> ReferralEvent:
    return events_write([event_row(referral, action, actor, from_status=from_status,
                                   to_status=to_status, note=note, at=at, **detail)])[0]
