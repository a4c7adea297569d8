"""The palliative care physician and the physiotherapist (issue 19): their place in the care team
and the access rule, the way they join a case, their home page, the quorum settings and the
demo logins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from cases import access, services
from cases.models import CareTeamMember
from tests.factories import InstitutionFactory, UserFactory
from tumorboard.models import User
from tumorboard.roles import CARE_ROLES, CLINICAL_ROLES, HOME_URL_NAME, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def palliative(db) -> User:
    return UserFactory(username="pia", role=Role.PALLIATIVE_CARE_PHYSICIAN)


@pytest.fixture
def physio(db) -> User:
    return UserFactory(username="phil", role=Role.PHYSIOTHERAPIST)


def test_the_roles_exist_with_their_home_and_are_not_board_clinicians() -> None:
    for role in (Role.PALLIATIVE_CARE_PHYSICIAN, Role.PHYSIOTHERAPIST):
        assert role in CARE_ROLES
        assert role not in CLINICAL_ROLES  # they never chair or own an MDT decision
        assert HOME_URL_NAME[role] == "home-specialist"


def test_a_specialist_sees_and_records_on_a_case_once_in_its_care_team(
        care_case, breast_surgeon, palliative, physio) -> None:
    for person in (palliative, physio):
        assert not access.case_is_visible(user=person, case_id=care_case.pk)
        assert not access.case_can_change(user=person, case=care_case)
    services.specialist_add(case=care_case, user=palliative, actor=breast_surgeon)
    assert access.case_is_visible(user=palliative, case_id=care_case.pk)
    assert access.case_can_change(user=palliative, case=care_case)
    assert not access.case_is_visible(user=physio, case_id=care_case.pk)
    member = CareTeamMember.objects.get(case=care_case, user=palliative)
    assert member.reason == "specialist_care" and member.added_by == breast_surgeon
    # Recording on the case: a follow-up visit with pain and analgesics.
    visit = services.followup_create(case=care_case, actor=palliative,
                                     visit_date=dt.date(2026, 1, 5), frankel="E", kps=70,
                                     pain_nrs=4, ambulation="with_aid", analgesics="weak_opioid")
    assert visit.recorded_by == palliative


def test_who_may_add_whom(care_case, breast_surgeon, coordinator, palliative, outsider,
                          neurosurgeon) -> None:
    with pytest.raises(PermissionDenied):  # a coordinator reads, never changes the care team
        services.specialist_add(case=care_case, user=palliative, actor=coordinator)
    with pytest.raises(ValidationError) as refused:  # only the two specialties
        services.specialist_add(case=care_case, user=neurosurgeon, actor=breast_surgeon)
    assert "user" in refused.value.message_dict
    elsewhere = UserFactory(username="paula", role=Role.PALLIATIVE_CARE_PHYSICIAN,
                            institution=InstitutionFactory(code="h-b", name="Hospital B"))
    with pytest.raises(ValidationError):  # another hospital's physician
        services.specialist_add(case=care_case, user=elsewhere, actor=breast_surgeon)
    services.specialist_add(case=care_case, user=palliative, actor=breast_surgeon)
    with pytest.raises(ValidationError):  # once
        services.specialist_add(case=care_case, user=palliative, actor=breast_surgeon)
    assert CareTeamMember.objects.filter(case=care_case,
                                         user__role__startswith="palliative").count() == 1


def test_the_case_page_adds_a_specialist(client, care_case, breast_surgeon, physio) -> None:
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "Add palliative care or physiotherapy" in page and physio.display_name in page
    client.post(reverse("cases:specialist-add", args=[care_case.pk]), {"user": physio.pk})
    assert access.case_is_visible(user=physio, case_id=care_case.pk)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "(physiotherapist)" in page
    client.post(reverse("cases:specialist-add", args=[care_case.pk]), {"user": "nope"})
    assert CareTeamMember.objects.filter(case=care_case).count() == 1


def test_the_home_page_lists_the_care_team_cases(client, care_case, breast_surgeon,
                                                 palliative) -> None:
    client.force_login(palliative)
    empty = client.get(reverse("home-specialist")).content.decode()
    assert "No case in your care teams yet" in empty
    services.specialist_add(case=care_case, user=palliative, actor=breast_surgeon)
    page = client.get(reverse("home-specialist")).content.decode()
    assert care_case.patient.family_name in page
    client.force_login(breast_surgeon)
    assert client.get(reverse("home-specialist"))["Location"] == "/"  # not their home


def test_the_quorum_may_name_the_optional_specialties(settings) -> None:
    from meetings import conf
    from meetings.selectors import quorum_state

    assert set(conf.OPTIONAL_SPECIALTY_ROLES) == {"palliative_care_physician", "physiotherapist"}
    assert "palliative_care_physician" not in conf.quorum_roles()  # not in the default quorum
    settings.MDT_QUORUM_ROLES = ("breast_oncosurgeon", "palliative_care_physician")
    state = quorum_state([])
    assert state["missing"] == ["breast_oncosurgeon", "palliative_care_physician"]


def test_the_demo_has_a_login_of_each_new_role_in_care_teams(client, settings) -> None:
    call_command("seed_demo", verbosity=0)
    for username, role in (("palliative1", Role.PALLIATIVE_CARE_PHYSICIAN),
                           ("physio1", Role.PHYSIOTHERAPIST)):
        person = User.objects.get(username=username)
        assert person.role == role
        assert CareTeamMember.objects.filter(user=person).exists()
        assert client.login(username=username, password="demo-tumorboard-2026")
        assert client.get("/", follow=True).status_code == 200
