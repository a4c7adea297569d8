"""Single-line fields refuse line breaks; an invitation never fails on header content; a failed
send is recorded, retried and shown to the coordinator; logs never carry the title."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import tasks
from meetings.invitations import InvitationsIncomplete, invitations_send
from meetings.models import Attendance, Meeting
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

TITLE = "Spine MDT\r\nBcc: everyone@elsewhere.example"


def _future() -> str:
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize("field", ["title", "place"])
@pytest.mark.parametrize("brk", ["\r\n", "\n", "\r", "\u2028"])
def test_the_api_refuses_a_line_break_in_a_single_line_field(
        coordinator, neurosurgeon, mdt_team, field, brk) -> None:
    from integrations.tokens import token_create

    _, raw = token_create(user=coordinator, name="t")
    body = {"mdt_team": mdt_team.pk, "chair": neurosurgeon.pk, "starts_at": _future(),
            "title": "Spine MDT", "place": "Room 2", field: f"Spine{brk}Bcc: x@evil.example"}
    response = token_client(raw).post(reverse("api-meetings"), body, format="json")
    assert response.status_code == 400
    assert field in response.json() and "single line" in str(response.json()[field])
    assert "evil.example" not in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_page_form_refuses_a_line_break_in_the_title(
        client, coordinator, neurosurgeon, mdt_team) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("meetings:meeting-list"), {
        "title": TITLE, "starts_at": "2030-01-02 10:00", "duration_minutes": "60",
        "place": "Room 2", "chair": neurosurgeon.pk})
    assert response.status_code == 200
    assert "single line" in response.context["form"].errors["title"][0]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("url", "body", "field"), [
    ("api-auth-token", {"username": "a\r\nb", "password": "x"}, "username"),
])
def test_other_single_line_api_fields_name_the_field(client, url, body, field) -> None:
    response = client.post(reverse(url), body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()


def test_a_stored_title_with_a_line_break_never_stops_the_invitations(
        meeting, mailoutbox, caplog) -> None:
    caplog.set_level("DEBUG")
    Meeting.objects.filter(pk=meeting.pk).update(title=TITLE)  # a row from before the check
    assert invitations_send(meeting_id=meeting.pk) == 4
    assert len(mailoutbox) == 4
    for message in mailoutbox:
        subject = message.message()["Subject"]
        assert "\r" not in subject and "\n" not in subject
        assert subject.startswith("Invitation: Spine MDT Bcc: everyone@elsewhere.example")
        assert message.recipients() == message.to  # nobody added by the title
    assert "Spine MDT" not in caplog.text and "elsewhere" not in caplog.text


def test_a_failed_send_is_recorded_retried_and_shown_to_the_coordinator(
        meeting, coordinator, breast_surgeon, client, settings, caplog, mailoutbox) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(title=TITLE)
    # A real SMTP connection to a port where nothing listens: refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(InvitationsIncomplete):
        invitations_send(meeting_id=meeting.pk)
    rows = Attendance.objects.filter(meeting=meeting, expected=True)
    assert all(row.invitation_sent_at is None for row in rows)  # claims released for the retry
    assert {row.invitation_error for row in rows} == {"ConnectionRefusedError"}
    assert "Spine MDT" not in caplog.text and "elsewhere" not in caplog.text
    # The task retries it (an OSError: autoretry with backoff). Run eagerly, the retries come
    # at once, each trying every attendee again, until max_retries.
    def tries() -> int:
        return sum(r.name == "meetings.invitations" for r in caplog.records)

    before = tries()
    tasks.send_invitations.apply(args=[meeting.pk])
    attempts = (tries() - before) // rows.count()
    assert attempts == tasks.send_invitations.max_retries + 1

    client.force_login(coordinator)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Invitations not sent yet" in page and "ConnectionRefusedError" in page
    assert breast_surgeon.display_name in page
    client.force_login(breast_surgeon)  # an attendee who does not run the meeting: not shown
    assert "Invitations not sent yet" not in client.get(
        reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_send(meeting_id=meeting.pk) == 4
    assert not Attendance.objects.filter(meeting=meeting).exclude(invitation_error="").exists()
    client.force_login(coordinator)
    assert "Invitations not sent yet" not in client.get(
        reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
