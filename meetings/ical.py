"""The meeting as an iCalendar event (RFC 5545), written by hand: no dependency.

CRLF line endings (§3.1), lines folded at 75 octets without splitting a UTF-8 character, TEXT
values escaped (§3.3.11), times in UTC (``...Z``). Each expected attendee is an ATTENDEE with
their role: the chair ``CHAIR``, the quorum roles (meetings.conf) ``REQ-PARTICIPANT``, everyone
else ``OPT-PARTICIPANT``; the coordinator is the ORGANIZER. No patient data goes in the event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import conf
from .models import Attendance, Meeting

PRODID = "-//Tumor board service//Spine MDT//EN"


def escape_text(value: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma, newline."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _param(value: str) -> str:
    """A parameter value (CN=...): quoted when it holds ``:;,``; quotes are not allowed."""
    value = value.replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1): CRLF then one space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def attendee_role(meeting: Meeting, attendance: Attendance) -> str:
    if attendance.user_id == meeting.chair_id:
        return "CHAIR"
    if attendance.role in conf.quorum_roles():
        return "REQ-PARTICIPANT"
    return "OPT-PARTICIPANT"


#: The calendar file's media type: the file says METHOD:REQUEST (an invitation), and RFC 6047
#: §2.4 wants the same method in the Content-Type, or mail and calendar clients treat it as a
#: published event. Used by the page, the API and the invitation e-mail alike.
CONTENT_TYPE = "text/calendar; method=REQUEST; charset=utf-8"


def meeting_ics(meeting: Meeting, attendances: list[Attendance],
                *, now: datetime | None = None) -> bytes:
    """The VCALENDAR with one VEVENT for ``meeting`` (attendances with their users loaded)."""
    now = now or timezone.now()
    host = settings.SERVICE_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    ends_at = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    location = meeting.place or meeting.video_link
    description = f"MDT meeting of {meeting.mdt_team.name}."
    if meeting.video_link:
        description += f"\nVideo link: {meeting.video_link}"
    description += f"\nMeeting page: {settings.SERVICE_BASE_URL}/meetings/{meeting.pk}/"
    organizer = meeting.coordinator
    organizer_email = organizer.email or f"noreply@{host}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"SEQUENCE:{meeting.ical_sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{escape_text(meeting.title)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        "STATUS:CONFIRMED",
        f"ORGANIZER;CN={_param(organizer.display_name)}:mailto:{organizer_email}",
    ]
    if meeting.video_link:
        lines.append(f"URL:{meeting.video_link}")
    for attendance in attendances:
        if not attendance.expected:
            continue
        user = attendance.user
        email = user.email or f"{user.username}@{host}"
        lines.append(
            f"ATTENDEE;CN={_param(user.display_name)};CUTYPE=INDIVIDUAL;"
            f"ROLE={attendee_role(meeting, attendance)};PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
            f":mailto:{email}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
