"""Adding a case to the agenda by finding the patient (name or MRN, within access; sent by POST,
never in a URL), and attendees ticked from the MDT team (issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, Meeting
from tests.factories import PatientFactory, UserFactory, add_member, make_mdt_case
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


def test_a_case_is_found_by_name_or_mrn_and_added_with_one_button(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams, outsider, client) -> None:
    mine = PatientFactory(institution=breast_surgeon.institution, family_name="Fairweather",
                          given_name="Ada", mrn="FIND-0001")
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         patient=mine)
    theirs = PatientFactory(institution=outsider.institution, family_name="Fairweather",
                            given_name="Other", mrn="FIND-9999")
    from tests.factories import create_case

    create_case(actor=outsider, patient=theirs, breast_team=outsider.memberships.get().team)
    client.force_login(breast_surgeon)
    url = reverse("meetings:item-find", args=[meeting.pk])
    for query in ("fairweather", "FIND-0001"):
        answer = client.post(url, {"find": query})
        text = answer.content.decode()
        assert answer.status_code == 200 and "Fairweather, Ada" in text, query
        assert "Fairweather, Other" not in text and "FIND-9999" not in text  # outside access
    assert client.get(url).status_code == 405  # a name never travels in a URL
    added = client.post(reverse("meetings:item-add", args=[meeting.pk]),
                        {"case": case.pk, "question": "Surgery or SBRT?"}, follow=True)
    assert "Fairweather, Ada added to the agenda" in added.content.decode()
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.question == "Surgery or SBRT?"
    again = client.post(url, {"find": "Fairweather"}).content.decode()
    assert "Fairweather, Ada" not in again.split('id="add-case"')[1]  # already on the agenda


def test_attendees_are_ticked_from_the_mdt_team(coordinator, neurosurgeon, oncologist, mdt_team,
                                               outsider, client) -> None:
    medonc = UserFactory(username="mo", role=Role.MEDICAL_ONCOLOGIST)
    add_member(mdt_team, medonc)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:meeting-list")).content.decode()
    assert f'type="checkbox" name="attendees" value="{oncologist.pk}"' in page
    assert f'type="checkbox" name="attendees" value="{medonc.pk}"' in page
    assert f'name="attendees" value="{outsider.pk}"' not in page  # not of this MDT team
    answer = client.post(reverse("meetings:meeting-list"), {
        "title": "Spine MDT", "starts_at": "2031-03-04 08:00", "duration_minutes": 60,
        "place": "Room 1", "chair": neurosurgeon.pk, "attendees": [oncologist.pk, medonc.pk]})
    assert answer.status_code == 302
    meeting = Meeting.objects.get()
    assert {a.user_id for a in meeting.attendances.all()} == {
        coordinator.pk, neurosurgeon.pk, oncologist.pk, medonc.pk}
