"""What a meeting adds to the access rule of ``cases.access`` (DESIGN.md, "Who sees a case").

The attendees of an MDT meeting (its Attendance rows: the chair, the coordinator and everyone
invited) see the cases on its agenda from when a case is put on the agenda until
``MEETING_ATTENDEE_ACCESS_DAYS`` (30) days after the meeting is finalized: they prepare the case
before and implement the decision after. Registered by ``meetings.apps``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tumorboard.models import User
from tumorboard.roles import CARE_ROLES

from .models import AgendaItem, Attendance


def attendee_window_start() -> datetime:
    return timezone.now() - timedelta(days=settings.MEETING_ATTENDEE_ACCESS_DAYS)


def attendee_cases(user: User) -> QuerySet[AgendaItem] | None:
    """The cases on the agenda of a meeting ``user`` attends, within the window."""
    if user.role not in CARE_ROLES:
        return None
    attends = Attendance.objects.filter(meeting_id=OuterRef("meeting_id"), user_id=user.pk)
    still_open = (Q(meeting__finalized_at__isnull=True)
                  | Q(meeting__finalized_at__gte=attendee_window_start()))
    # Read with the person's other granting rows, once per request (cases.access).
    return AgendaItem.objects.filter(still_open, Exists(attends))
