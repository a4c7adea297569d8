"""Signals and receivers of the meetings app.

``decisions_finalized`` (sender ``Meeting``, argument ``meeting``) is sent by
``meetings.services.meeting_finalize`` inside its transaction, so that a higher app reacts
(integrations.receivers writes the webhook outbox rows) without meetings importing it (DESIGN.md,
layers); a receiver's failure rolls the finalize back.

An attendance change is a change of who sees the agenda's cases (meetings.access), audited
whatever made it (admin, API, shell) by the one mechanism of ``cases.access.audit_access_rows``,
connected from ``meetings.apps``."""

from __future__ import annotations

from django.dispatch import Signal

from cases.access import audit_access_rows

from .models import Attendance

decisions_finalized = Signal()


def connect_receivers() -> None:
    audit_access_rows(Attendance, kind="attendance", detail=lambda row: {"meeting": row.meeting_id})
