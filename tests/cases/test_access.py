"""Who sees a case, on every page and endpoint: the care team yes, an outsider 404 (never 403),
each role as the selector documents (cases.selectors.case_list_visible_to)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.access import case_list_visible_to
from cases.models import AuditEvent, Case
from referrals.services import TeamHasOpenReferral, referral_cancel
from tests.factories import STUDY, UserFactory, add_member
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

# persona -> (can read, can write)
EXPECTED = {
    "breast_surgeon": (True, True),
    "neurosurgeon": (True, True),
    "coordinator": (True, False),  # sees the cases of its MDT; records decisions in meetings
    "added_oncologist": (True, True),
    "oncologist": (False, False),  # in the MDT team but not added to this case
    "outsider": (False, False),
    "admin_person": (False, False),  # manages people, sees no patient data
}


@pytest.fixture
def added_oncologist(care_case: Case, breast_surgeon, mdt_team):
    user = UserFactory(username="ingrid", role=Role.MEDICAL_ONCOLOGIST)
    add_member(mdt_team, user)
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                         oncologists=[user])
    return user


@pytest.fixture
def persona(request, care_case, breast_surgeon, neurosurgeon, coordinator, oncologist,
            outsider, admin_person, added_oncologist):
    return {
        "breast_surgeon": breast_surgeon, "neurosurgeon": neurosurgeon,
        "coordinator": coordinator, "added_oncologist": added_oncologist,
        "oncologist": oncologist, "outsider": outsider, "admin_person": admin_person,
    }[request.param]


def page_urls(case: Case) -> dict[str, str]:
    return {
        "detail": reverse("cases:case-detail", args=[case.pk]),
        "as_of": reverse("cases:case-as-of", args=[case.pk]) + "?at=2030-01-01",
    }


def write_page_urls(case: Case) -> dict[str, str]:
    lesion = case.lesions.get()
    return {
        "edit": reverse("cases:case-edit", args=[case.pk]),
        "lesion": reverse("cases:lesion-create", args=[case.pk]),
        "imaging": reverse("cases:imaging-create", args=[case.pk, lesion.pk]),
        "assessment": reverse("cases:assessment-create", args=[case.pk]),
        "transition": reverse("cases:transition-create", args=[case.pk]),
        "followup": reverse("cases:followup-create", args=[case.pk]),
    }


PERSONAS = list(EXPECTED)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_the_selector_admits_exactly_the_care_team(persona, care_case: Case) -> None:
    can_read, _ = EXPECTED[_name(persona)]
    assert case_list_visible_to(user=persona).filter(pk=care_case.pk).exists() is can_read


def _name(user) -> str:
    return {"alice": "breast_surgeon", "bob": "neurosurgeon", "carol": "coordinator",
            "ingrid": "added_oncologist", "olga": "oncologist", "mallory": "outsider",
            "sam": "admin_person"}[user.username]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_case_pages_are_visible_to_the_care_team_and_404_to_anyone_else(
    persona, care_case: Case, client: Client
) -> None:
    can_read, _ = EXPECTED[_name(persona)]
    client.force_login(persona)
    for name, url in page_urls(care_case).items():
        response = client.get(url)
        assert response.status_code == (200 if can_read else 404), (name, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_write_pages_need_change_rights_and_outsiders_get_404(
    persona, care_case: Case, client: Client
) -> None:
    can_read, can_write = EXPECTED[_name(persona)]
    client.force_login(persona)
    expected = 200 if can_write else (403 if can_read else 404)
    for name, url in write_page_urls(care_case).items():
        assert client.get(url).status_code == expected, name
    event = care_case.current_event
    tick = reverse("cases:duty-tick", args=[care_case.pk, event.pk, "staging_workup"])
    status = client.post(tick).status_code
    assert status == (302 if can_write else expected)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_case_list_page_shows_the_case_only_to_its_care_team(
    persona, care_case: Case, client: Client
) -> None:
    can_read, _ = EXPECTED[_name(persona)]
    client.force_login(persona)
    response = client.get(reverse("cases:case-list"))
    if _name(persona) == "admin_person":
        assert response.status_code == 302  # the administrator has no case list
        return
    assert response.status_code == 200
    assert (f'href="/cases/{care_case.pk}/"' in response.content.decode()) is can_read


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_api_read_endpoints_follow_the_care_team(persona, care_case: Case) -> None:
    can_read, _ = EXPECTED[_name(persona)]
    api = APIClient()
    api.force_authenticate(persona)
    for name in ("api-case", "api-case-timeline"):
        response = api.get(reverse(name, args=[care_case.pk]))
        assert response.status_code == (200 if can_read else 404), name
    listed = {row["id"] for row in api.get(reverse("api-cases")).json()["results"]}
    assert (care_case.pk in listed) is can_read


@pytest.mark.parametrize("persona", PERSONAS, indirect=True, ids=PERSONAS)
def test_api_write_endpoints_need_change_rights_and_outsiders_get_404(
    persona, care_case: Case
) -> None:
    can_read, can_write = EXPECTED[_name(persona)]
    api = APIClient()
    api.force_authenticate(persona)
    refused = 403 if can_read else 404
    study = {**STUDY, "imaging_date": "2026-01-20", "levels": ["L3"]}
    calls = {
        "lesions": (api.post, "api-case-lesions", study, 201),
        "assessments": (api.post, "api-case-assessments", {}, 201),
        "transitions": (api.post, "api-case-transitions",
                        {"to_phase": "spine_metastasis_detection", "reason": "lesion"}, 201),
        "patch": (api.patch, "api-case", {"version": 999, "kps": 70}, 409),
    }
    for name, (method, url_name, body, ok) in calls.items():
        response = method(reverse(url_name, args=[care_case.pk]), body, format="json")
        assert response.status_code == (ok if can_write else refused), (name, response.json())


def test_an_outsider_probing_case_ids_gets_404_and_is_audited(care_case, outsider) -> None:
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(reverse("api-case", args=[care_case.pk])).status_code == 404
    assert api.get(reverse("api-case", args=[care_case.pk + 1000])).status_code == 404
    denied = AuditEvent.objects.filter(actor=outsider, outcome="denied")
    assert denied.count() == 2


def test_joining_a_team_grants_sight_of_its_cases_and_leaving_removes_it(
    care_case, breast_team
) -> None:
    newcomer = UserFactory(username="nell", role=Role.BREAST_ONCOSURGEON)
    assert not case_list_visible_to(user=newcomer).exists()
    membership = add_member(breast_team, newcomer)
    assert list(case_list_visible_to(user=newcomer)) == [care_case]
    membership.delete()
    assert not case_list_visible_to(user=newcomer).exists()


def test_changing_the_spine_team_moves_access_with_it(
    care_case, breast_surgeon, neurosurgeon
) -> None:
    from tests.factories import TeamFactory

    other_spine = TeamFactory(name="Spine Service B", kind="spine")
    # The lesion's referral to the spine team is open: the team cannot leave the case (409).
    referral = care_case.referrals.get()
    with pytest.raises(TeamHasOpenReferral) as refused:
        services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                             spine_team=other_spine)
    assert refused.value.referral_id == referral.pk
    care_case.refresh_from_db()
    assert care_case.spine_team_id != other_spine.pk
    referral_cancel(referral=referral, actor=breast_surgeon, reason="Moved to another centre")
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                         spine_team=other_spine)
    assert not case_list_visible_to(user=neurosurgeon).exists()
    assert case_list_visible_to(user=breast_surgeon).exists()


def test_a_coordinator_sees_the_cases_of_their_institution_only(care_case) -> None:
    """DESIGN.md: an MDT coordinator of the institution sees its cases; another hospital's
    coordinator, even of an MDT team, does not."""
    from tests.factories import InstitutionFactory, TeamFactory

    elsewhere = InstitutionFactory(code="elsewhere", name="Elsewhere Hospital")
    other = UserFactory(username="cora", role=Role.COORDINATOR, institution=elsewhere)
    add_member(TeamFactory(name="Other MDT", kind="mdt", institution=elsewhere), other)
    assert not case_list_visible_to(user=other).exists()
    local = UserFactory(username="cole", role=Role.COORDINATOR,
                        institution=care_case.patient.institution)
    assert list(case_list_visible_to(user=local)) == [care_case]


def test_the_patient_form_is_for_surgeons_only(client: Client, coordinator, breast_surgeon):
    client.force_login(coordinator)
    assert client.get(reverse("cases:patient-create")).status_code == 302
    client.force_login(breast_surgeon)
    assert client.get(reverse("cases:patient-create")).status_code == 200


def test_opening_a_case_for_someone_elses_patient_is_404(client: Client, care_case, outsider):
    client.force_login(outsider)
    url = reverse("cases:case-create", args=[care_case.patient_id])
    assert client.get(url).status_code == 404
