"""Receivers of the signals the lower apps send inside their transactions (DESIGN.md, Layers: a
lower app never imports integrations; it sends a signal and integrations listens). Each receiver
is a self-contained function; ``connect()`` (called from ``IntegrationsConfig.ready``) connects
each with its own ``dispatch_uid``, so connecting twice connects once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings.models import Meeting
from meetings.signals import decisions_finalized
from referrals.models import Referral
from referrals.signals import referral_status_changed

from . import webhooks

REFERRAL_WEBHOOK_UID = "integrations.receivers.referral_status_webhook"


def referral_status_webhook(sender: type[Referral], *, referral: Referral, from_status: str,
                            to_status: str, at: datetime, **kwargs: Any) -> None:
    """``referral.state_changed`` webhooks: the outbox rows are written in the transaction of the
    change (sent after commit), one per subscriber who may see the case."""
    webhooks.referral_state_changed(referral=referral, from_status=from_status,
                                    to_status=to_status, at=at)


def _decisions_finalized(sender: type[Meeting], *, meeting: Meeting, **kwargs: Any) -> None:
    """One ``decision.finalized`` outbox row per decision and subscriber, in the finalize's
    transaction; sent after commit (integrations.webhooks)."""
    webhooks.meeting_decisions_finalized(meeting=meeting)


def connect() -> None:
    referral_status_changed.connect(referral_status_webhook, sender=Referral,
                                    dispatch_uid=REFERRAL_WEBHOOK_UID)
    decisions_finalized.connect(_decisions_finalized, sender=Meeting,
                                dispatch_uid="integrations.webhooks.decisions_finalized")
