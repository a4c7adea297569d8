"""The meeting pages' errors name fields as the form shows them and roles in words (issue 17,
"Words for people"): no "give quorum_override_reason", no "rationale: This field is required"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.forms import QUORUM_OVERRIDE_LABEL
from meetings.models import AgendaItem
from tests.factories import on_its_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(meeting, coordinator, mdt_case):
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    meeting.refresh_from_db()
    return meeting


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_finalizing_without_quorum_on_the_page_names_the_roles_and_the_field(
        session, client, neurosurgeon) -> None:
    item = AgendaItem.objects.get(meeting=session)
    services.decision_record(item=item, actor=neurosurgeon, pathway="cebrt", rationale="ok",
                             responsible=neurosurgeon)
    client.force_login(neurosurgeon)
    response = client.post(reverse("meetings:move", args=[session.pk, "finalize"]), follow=True)
    text = _messages(response)
    assert "Breast oncosurgeon" in text and "Radiation oncologist" in text, text
    assert "Why finalize without quorum" in text and QUORUM_OVERRIDE_LABEL in text
    assert "quorum_override_reason" not in text and "_" not in text
    session.refresh_from_db()
    assert session.status == "in_session"  # nothing changed
    page = client.get(reverse("meetings:meeting-detail", args=[session.pk])).content.decode()
    assert QUORUM_OVERRIDE_LABEL in page  # the field carries the name the error uses


def test_a_decision_form_error_names_the_field_as_the_form_shows_it(session, client,
                                                                    coordinator) -> None:
    item = AgendaItem.objects.get(meeting=session)
    client.force_login(coordinator)
    response = client.post(reverse("meetings:item-decide", args=[session.pk, item.pk]),
                           {f"item{item.pk}-pathway": "cebrt"}, follow=True)
    assert response.status_code == 400
    text = response.content.decode()
    block = text[text.index(f'id="errors-{item.pk}"'):]
    block = block[:block.index("</div>")]
    assert "Not recorded: the decision on item 1" in block, block
    assert "Rationale: " in block and "Responsible clinician: " in block, block
    assert "rationale:" not in text and "responsible:" not in text
