"""Receivers of the signals lower apps send inside their transactions (DESIGN.md, layers): the
integrations app reacts to them without those apps importing it. Connected once from
``integrations.apps`` (``connect()``), each with a dispatch_uid."""

from __future__ import annotations

from typing import Any

from meetings.models import Meeting
from meetings.signals import decisions_finalized

from . import webhooks


def _decisions_finalized(sender: type[Meeting], *, meeting: Meeting, **kwargs: Any) -> None:
    """One ``decision.finalized`` outbox row per decision and subscriber, in the finalize's
    transaction; sent after commit (integrations.webhooks)."""
    webhooks.meeting_decisions_finalized(meeting=meeting)


def connect() -> None:
    decisions_finalized.connect(_decisions_finalized, sender=Meeting,
                                dispatch_uid="integrations.webhooks.decisions_finalized")
