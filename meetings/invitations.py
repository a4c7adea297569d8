"""The invitation e-mail of a meeting, with its .ics attached (meetings.ical).

Exactly once per attendee: each Attendance row is claimed by a conditional update of
``invitation_sent_at`` before its e-mail goes; a failed send releases the claim for the retry.
No patient data: the meeting's time, place and link only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .ical import meeting_ics
from .models import Attendance, Meeting


def invitations_send(*, meeting_id: int) -> int:
    """Send the invitation to every expected attendee not yet invited. Returns how many went."""
    meeting = (Meeting.objects.select_related("mdt_team", "coordinator", "chair")
               .filter(pk=meeting_id).first())
    if meeting is None:
        return 0
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("user"))
    ics = meeting_ics(meeting, attendances)
    sent = 0
    for attendance in attendances:
        user = attendance.user
        if not attendance.expected or attendance.invitation_sent_at or not user.email:
            continue
        claimed = Attendance.objects.filter(pk=attendance.pk, invitation_sent_at=None).update(
            invitation_sent_at=timezone.now())
        if claimed != 1:
            continue
        message = EmailMessage(
            subject=f"Invitation: {meeting.title}, {meeting.starts_at:%Y-%m-%d %H:%M} UTC",
            body=(f"You are invited to the MDT meeting of {meeting.mdt_team.name} on "
                  f"{meeting.starts_at:%Y-%m-%d %H:%M} UTC ({meeting.duration_minutes} min), "
                  f"{meeting.place or meeting.video_link}.\n\n"
                  f"Agenda and packet: {settings.SERVICE_BASE_URL}/meetings/{meeting.pk}/\n"),
            to=[user.email],
        )
        message.attach("meeting.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
        try:
            message.send()
        except Exception:
            Attendance.objects.filter(pk=attendance.pk).update(invitation_sent_at=None)
            raise
        sent += 1
    return sent
