"""The coordinator's pages: list, arrows, attendance, the in-session decision form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Decision
from tests.factories import make_mdt_case, on_its_day

pytestmark = pytest.mark.django_db


def test_the_arrows_reorder_the_agenda_and_the_page_says_so(meeting, coordinator, breast_surgeon,
                                                            neurosurgeon, teams, client) -> None:
    for _ in range(2):
        make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    client.force_login(coordinator)
    client.post(reverse("meetings:populate", args=[meeting.pk]))
    second = AgendaItem.objects.get(meeting=meeting, position=2)
    client.post(reverse("meetings:item-move", args=[meeting.pk, second.pk, "up"]))
    second.refresh_from_db()
    assert second.position == 1
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert b"reordered by hand" in page.content and b"Move item 1 up" in page.content


def test_the_session_page_refuses_an_override_without_a_reason(meeting, coordinator, mdt_case,
                                                               neurosurgeon, client) -> None:
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    client.force_login(coordinator)
    on_its_day(meeting)
    client.post(reverse("meetings:move", args=[meeting.pk, "start"]))
    item = AgendaItem.objects.get(meeting=meeting)
    url = reverse("meetings:item-decide", args=[meeting.pk, item.pk])
    form = {f"item{item.pk}-pathway": "srs", f"item{item.pk}-responsible": neurosurgeon.pk,
            f"item{item.pk}-rationale": "SRS instead.", f"item{item.pk}-version": 0}
    response = client.post(url, form, follow=True)
    assert not Decision.objects.exists()
    assert b"override" in response.content
    client.post(url, {**form, f"item{item.pk}-override_reason": "Patient choice."})
    assert Decision.objects.get().override_reason == "Patient choice."
    page = client.get(reverse("meetings:meeting-session", args=[meeting.pk]))
    assert b"overrides it: Patient choice." in page.content


def test_every_clinician_home_lists_my_upcoming_meetings(meeting, breast_surgeon, oncologist,
                                                         client) -> None:
    for user, name in ((breast_surgeon, "home-breast"), (oncologist, "home-oncology")):
        client.force_login(user)
        response = client.get(reverse(name))
        assert meeting in response.context["upcoming_meetings"]
        assert b"My upcoming meetings" in response.content


def test_the_case_page_shows_the_next_meeting(meeting, coordinator, mdt_case, breast_surgeon,
                                              client) -> None:
    services.agenda_populate(meeting=meeting, actor=coordinator)
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[mdt_case.pk]))
    assert f"meeting {meeting.pk}".encode() in page.content
