"""What a meeting adds to the access rule of ``cases.access`` (DESIGN.md, "Who sees a case").

The attendees of an MDT meeting (its Attendance rows: the chair, the coordinator and everyone
invited) see the cases on its agenda from when a case is put on the agenda until
``MEETING_ATTENDEE_ACCESS_DAYS`` (30) days after the meeting is finalized: they prepare the case
before and implement the decision after. Registered by ``meetings.apps``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cases.access import GrantingRows, db_datetime
from tumorboard.models import User
from tumorboard.roles import CARE_ROLES


def attendee_window_start() -> datetime:
    return timezone.now() - timedelta(days=settings.MEETING_ATTENDEE_ACCESS_DAYS)


def attendee_cases(user: User) -> GrantingRows | None:
    """The cases on the agenda of a meeting ``user`` attends, within the window: the items of
    the meetings they attend that are not finalized, or were finalized within the window.

    As SQL, read with the person's other granting rows once per request (cases.access); a
    test holds it to the same rows written with the ORM."""
    if user.role not in CARE_ROLES:
        return None
    return GrantingRows(
        "SELECT item.case_id FROM meetings_agendaitem item"
        " INNER JOIN meetings_meeting meeting ON meeting.id = item.meeting_id"
        " WHERE (meeting.finalized_at IS NULL OR meeting.finalized_at >= %s)"
        " AND EXISTS (SELECT 1 FROM meetings_attendance attends"
        " WHERE attends.meeting_id = item.meeting_id AND attends.user_id = %s)",
        (db_datetime(attendee_window_start()), user.pk))
