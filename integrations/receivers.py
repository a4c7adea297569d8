"""Receivers of the signals the lower apps send (DESIGN.md, Layers: a lower app never imports
integrations; it sends a signal inside its transaction and integrations listens). Each receiver
is a self-contained function; ``connect()`` (called from ``IntegrationsConfig.ready``) connects
each with its own ``dispatch_uid``, so connecting twice connects once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


def connect() -> None:
    referral_status_changed.connect(referral_status_webhook, sender=Referral,
                                    dispatch_uid=REFERRAL_WEBHOOK_UID)
