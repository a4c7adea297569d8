"""Receivers of the meetings app: an attendance change is a change of who sees the agenda's
cases (meetings.access), audited whatever made it (admin, API, shell). Module-level functions,
connected with strong references by ``connect_receivers`` (meetings.apps)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from cases.access import audit_access_change

from .models import Attendance


def _attendance_saved(sender: type, instance: Attendance, created: bool, **kwargs: Any) -> None:
    if created:
        audit_access_change(granted=True, kind="attendance", user_id=instance.user_id,
                            meeting=instance.meeting_id)


def _attendance_deleted(sender: type, instance: Attendance, **kwargs: Any) -> None:
    audit_access_change(granted=False, kind="attendance", user_id=instance.user_id,
                        meeting=instance.meeting_id)


RECEIVERS = (
    (post_save, _attendance_saved, Attendance, "meetings-attendance-saved"),
    (post_delete, _attendance_deleted, Attendance, "meetings-attendance-deleted"),
)


def connect_receivers() -> None:
    for signal, receiver, sender, uid in RECEIVERS:
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
