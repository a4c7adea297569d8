"""Receivers of the signals the lower apps send inside their transactions (DESIGN.md, Layers):
meetings never imports followthrough; it sends ``decisions_finalized`` and this app listens.
``connect()`` (from ``FollowThroughConfig.ready``) connects with a ``dispatch_uid``, so
connecting twice connects once."""

from __future__ import annotations

from typing import Any

from meetings.models import Meeting
from meetings.signals import decisions_finalized

from . import services

DECISIONS_FINALIZED_UID = "followthrough.receivers.tasks_for_meeting"


def tasks_for_finalized_meeting(sender: type[Meeting], *, meeting: Meeting,
                                **kwargs: Any) -> None:
    """The tasks of each decision (CLINICAL.md §15), in the finalize's transaction: a failure
    rolls the finalize back, so a finalized meeting always has its tasks."""
    services.tasks_for_meeting(meeting=meeting, actor=kwargs.get("actor"))


def connect() -> None:
    decisions_finalized.connect(tasks_for_finalized_meeting, sender=Meeting,
                                dispatch_uid=DECISIONS_FINALIZED_UID)
