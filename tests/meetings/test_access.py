"""Access: a meeting is visible to its chair, coordinator, invitees and MDT team; the cases on it
only through case_list_visible_to; an outsider gets 404 on every page, endpoint, packet and .ics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Packet
from meetings.states import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(meeting, coordinator, mdt_case):
    services.agenda_populate(meeting=meeting, actor=coordinator)
    return AgendaItem.objects.get(meeting=meeting)


def _api(meeting, item):
    m = meeting.pk
    yield "get", reverse("api-meeting", args=[m])
    yield "get", reverse("api-meeting-agenda", args=[m])
    yield "post", reverse("api-meeting-agenda", args=[m])
    yield "post", reverse("api-meeting-agenda-populate", args=[m])
    yield "post", reverse("api-meeting-item-move", args=[m, item.pk])
    yield "post", reverse("api-meeting-item-decision", args=[m, item.pk])
    yield "post", reverse("api-meeting-item-follow-up", args=[m, item.pk])
    yield "post", reverse("api-meeting-attendance", args=[m])
    for action in Action:
        yield "post", reverse(f"api-meeting-{action.value}", args=[m])
    yield "post", reverse("api-meeting-packet", args=[m])
    yield "get", reverse("api-meeting-packet", args=[m])
    yield "get", reverse("api-meeting-packet-pdf", args=[m])
    yield "get", reverse("api-meeting-ics", args=[m])


def _pages(meeting, item):
    m = meeting.pk
    yield "get", reverse("meetings:meeting-detail", args=[m])
    yield "get", reverse("meetings:meeting-session", args=[m])
    yield "post", reverse("meetings:populate", args=[m])
    yield "post", reverse("meetings:item-add", args=[m])
    yield "post", reverse("meetings:item-move", args=[m, item.pk, "up"])
    yield "post", reverse("meetings:item-decide", args=[m, item.pk])
    yield "post", reverse("meetings:item-follow-up", args=[m, item.pk])
    yield "post", reverse("meetings:attendance", args=[m, item.meeting.chair_id])
    for action in Action:
        yield "post", reverse("meetings:move", args=[m, action.value])
    yield "post", reverse("meetings:packet-request", args=[m])
    yield "get", reverse("meetings:packet-download", args=[m, "packet"])
    yield "get", reverse("meetings:ics", args=[m])


def test_an_outsider_gets_404_on_every_meeting_endpoint(meeting, listed, outsider,
                                                        api_client) -> None:
    api_client.force_authenticate(outsider)
    for method, url in _api(meeting, listed):
        response = getattr(api_client, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert len(api_client.get(reverse("api-meetings")).json()["results"]) == 0
    assert not Packet.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_an_outsider_gets_404_on_every_meeting_page(meeting, listed, outsider, client) -> None:
    client.force_login(outsider)
    for method, url in _pages(meeting, listed):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    response = client.get(reverse("meetings:meeting-list"))
    assert response.status_code == 200 and response.context["meetings"] == []


@pytest.mark.parametrize("persona", ["coordinator", "neurosurgeon", "breast_surgeon",
                                     "oncologist"])
def test_the_chair_coordinator_and_invitees_see_the_meeting(persona, meeting, listed, request,
                                                            api_client, client) -> None:
    user = request.getfixturevalue(persona)
    api_client.force_authenticate(user)
    assert api_client.get(reverse("api-meeting", args=[meeting.pk])).status_code == 200
    assert len(api_client.get(reverse("api-meetings")).json()["results"]) == 1
    client.force_login(user)
    assert client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:ics", args=[meeting.pk])).status_code == 200


def test_an_invitee_sees_the_agenda_cases_and_runs_nothing(meeting, listed, oncologist,
                                                            api_client) -> None:
    """DESIGN.md: an attendee sees the cases on the agenda (to prepare and implement them)."""
    api_client.force_authenticate(oncologist)
    agenda = api_client.get(reverse("api-meeting-agenda", args=[meeting.pk])).json()
    assert [item["case"] for item in agenda] == [listed.case_id]
    detail = api_client.get(reverse("api-meeting", args=[meeting.pk])).json()
    assert len(detail["agenda"]) == 1 and detail["allowed_actions"] == []
    assert detail["hidden_agenda_items"] == 0


def test_a_clinician_who_does_not_run_the_meeting_gets_403_on_its_moves(meeting, listed,
                                                                        breast_surgeon,
                                                                        api_client) -> None:
    api_client.force_authenticate(breast_surgeon)
    for action in ("lock", "start"):
        response = api_client.post(reverse(f"api-meeting-{action}", args=[meeting.pk]))
        assert response.status_code == 403
    assert api_client.post(reverse("api-meeting-agenda-populate",
                                   args=[meeting.pk])).status_code == 403


def test_a_coordinator_sees_a_case_listed_on_a_meeting_they_coordinate(
        meeting, coordinator, breast_surgeon, neurosurgeon, breast_team, spine_team) -> None:
    from cases.access import case_list_visible_to

    # No MDT team on the case: the coordinator of the institution sees it (DESIGN.md), before
    # and after it is on their agenda; a coordinator of another hospital never does.
    from tests.factories import InstitutionFactory, UserFactory, make_mdt_case

    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                         teams={"breast_team": breast_team, "spine_team": spine_team})
    stranger = UserFactory(username="coord-elsewhere", role="coordinator",
                           institution=InstitutionFactory(code="far", name="Far Hospital"))
    assert case_list_visible_to(user=coordinator).filter(pk=case.pk).exists()
    services.agenda_item_add(meeting=meeting, case=case, actor=breast_surgeon)
    assert case_list_visible_to(user=coordinator).filter(pk=case.pk).exists()
    assert not case_list_visible_to(user=stranger).filter(pk=case.pk).exists()


def test_the_admin_sees_no_meeting(meeting, admin_person, api_client) -> None:
    api_client.force_authenticate(admin_person)
    assert api_client.get(reverse("api-meeting", args=[meeting.pk])).status_code == 404
    assert len(api_client.get(reverse("api-meetings")).json()["results"]) == 0
