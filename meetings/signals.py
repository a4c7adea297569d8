"""Receivers of the meetings app: an attendance change is a change of who sees the agenda's
cases (meetings.access), audited whatever made it (admin, API, shell) by the one mechanism of
``cases.access.audit_access_rows``, connected from ``meetings.apps``."""

from __future__ import annotations

from cases.access import audit_access_rows

from .models import Attendance


def connect_receivers() -> None:
    audit_access_rows(Attendance, kind="attendance", detail=lambda row: {"meeting": row.meeting_id})
