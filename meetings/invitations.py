"""The invitation e-mail of a meeting, with its .ics attached (meetings.ical).

Exactly once per attendee: each Attendance row is claimed by a conditional update of
``invitation_sent_at`` before its e-mail goes; a failed send releases the claim for the retry.
No patient data: the meeting's time, place and link only.

Header content never stops a send: the subject is made one line whatever the stored title (a
title with a line break was a ``BadHeaderError`` for every attendee). A failed send is recorded
on its row (the exception's class, never the message, which can quote a header), the others still
go, and ``InvitationsIncomplete`` makes the task retry with backoff; the meeting page shows the
coordinator who is still waiting for an invitation. Log lines carry ids only, never the title.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from tumorboard.timezones import plain_time
from tumorboard.validators import one_line

from .ical import CONTENT_TYPE, meeting_ics
from .models import Attendance, Meeting

log = logging.getLogger(__name__)


class InvitationsIncomplete(OSError):
    """Some invitations of a meeting failed; an OSError, so that the task retries it."""


def invitations_send(*, meeting_id: int) -> int:
    """Send the invitation to every expected attendee not yet invited. Returns how many went."""
    meeting = (Meeting.objects.select_related("mdt_team", "coordinator", "chair")
               .filter(pk=meeting_id).first())
    if meeting is None:
        return 0
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("user"))
    ics = meeting_ics(meeting, attendances)
    sent = 0
    failed = 0
    title = one_line(meeting.title) or "MDT meeting"
    where = one_line(meeting.place or meeting.video_link)
    for attendance in attendances:
        user = attendance.user
        if not attendance.expected or attendance.invitation_sent_at or not user.email:
            continue
        claimed = Attendance.objects.filter(pk=attendance.pk, invitation_sent_at=None).update(
            invitation_sent_at=timezone.now())
        if claimed != 1:
            continue
        message = EmailMessage(
            subject=f"Invitation: {title}, {plain_time(meeting.starts_at, user, named=False)}",
            body=(f"You are invited to the MDT meeting of {meeting.mdt_team.name} on "
                  f"{plain_time(meeting.starts_at, user)} ({meeting.duration_minutes} min), "
                  f"{where}.\n\n"
                  f"Agenda and packet: {settings.SERVICE_BASE_URL}/meetings/{meeting.pk}/\n"),
            to=[user.email],
        )
        message.attach("meeting.ics", ics, CONTENT_TYPE)
        try:
            message.send()
        except Exception as error:  # SMTP down, a refused address, a header the backend refuses
            failed += 1
            Attendance.objects.filter(pk=attendance.pk).update(
                invitation_sent_at=None, invitation_failed_at=timezone.now(),
                invitation_error=type(error).__name__[:80])
            log.warning("invitation of meeting %s to attendance %s not sent: %s", meeting.pk,
                        attendance.pk, type(error).__name__)
            continue
        Attendance.objects.filter(pk=attendance.pk).exclude(invitation_error="").update(
            invitation_failed_at=None, invitation_error="")
        sent += 1
    if failed:
        raise InvitationsIncomplete(f"{failed} invitation(s) of meeting {meeting.pk} not sent")
    return sent
