"""The referral to radiation oncology (CLINICAL.md §15-§16): raised after separation surgery by a
surgeon of the case, or by a finalized MDT decision for srs/cebrt; the same triage, due times
(§9: red 24 h, orange 72 h, green 7 days), escalation (§9a) and alerts as the surgical referrals;
the radiation oncologists of the institution's service see the case and its queue, and the one
who takes it plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.access import case_can_change, case_is_visible
from referrals import selectors, services
from referrals.models import TO_RADIATION_ONCOLOGY, Alert, Referral, ReferralStatus
from tests.factories import InstitutionFactory, TeamFactory, UserFactory, add_member, create_case
from tumorboard.models import Team
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def radiation_team(breast_team):
    return TeamFactory(institution=breast_team.institution, name="Radiation oncology",
                       kind=Team.Kind.RADIATION)


@pytest.fixture
def radoncs(radiation_team):
    people = [UserFactory(username=f"ro{i}", role=Role.RADIATION_ONCOLOGIST,
                          institution=radiation_team.institution) for i in range(3)]
    add_member(radiation_team, people[0], lead=True)
    for person in people[1:]:
        add_member(radiation_team, person)
    return people


@pytest.fixture
def case(breast_surgeon, teams):
    return create_case(actor=breast_surgeon, **teams)


def test_a_neurosurgeon_refers_after_separation_surgery(case, neurosurgeon, radoncs,
                                                       radiation_team, spine_team) -> None:
    before = timezone.now()
    referral = services.radiotherapy_referral_raise(
        case=case, actor=neurosurgeon, reason="SBRT after separation surgery at T7")
    assert referral.direction == TO_RADIATION_ONCOLOGY
    assert referral.status == ReferralStatus.SENT
    assert referral.receiving_team == radiation_team and referral.sending_team == spine_team
    assert referral.sender == neurosurgeon
    # green: due in 7 days (§9); first escalation step 24 h after it was sent (§9a)
    assert timedelta(days=7) <= referral.due_at - before < timedelta(days=7, minutes=1)
    assert timedelta(hours=24) <= referral.escalation_due_at - before < timedelta(hours=24,
                                                                                  minutes=1)
    # the new-referral alert goes to the team's radiation oncologists, the lead aside
    alerted = set(Alert.objects.filter(referral=referral).values_list("recipient", flat=True))
    assert alerted == {radoncs[1].pk, radoncs[2].pk}


@pytest.mark.parametrize(("urgency", "hours"), [("red", 24), ("orange", 72)])
def test_urgency_sets_the_due_time(case, neurosurgeon, radoncs, urgency, hours) -> None:
    before = timezone.now()
    referral = services.radiotherapy_referral_raise(case=case, actor=neurosurgeon,
                                                    reason="r", urgency=urgency)
    assert timedelta(hours=hours) <= referral.due_at - before < timedelta(hours=hours, minutes=1)


def test_the_radiation_oncologist_sees_triages_and_plans(case, neurosurgeon, radoncs) -> None:
    radonc = radoncs[1]
    assert not case_is_visible(user=radonc, case_id=case.pk)
    referral = services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    assert case_is_visible(user=radonc, case_id=case.pk)
    assert list(selectors.triage_queue(user=radonc)) == [referral]
    assert not case_can_change(user=radonc, case=case)
    services.referral_acknowledge(referral=referral, actor=radonc)
    services.referral_accept(referral=referral, actor=radonc)
    assert case_can_change(user=radonc, case=case)
    plan = case_services.radiotherapy_plan_create(
        case=case, actor=radonc, technique="sbrt", dose_gy=24, fractions=2,
        target_levels=["T7"], planned_start=timezone.localdate() + timedelta(days=10))
    assert plan.pk


def test_another_hospitals_radiation_oncologist_sees_nothing(case, neurosurgeon,
                                                             radoncs) -> None:
    elsewhere = InstitutionFactory(code="elsewhere", name="Elsewhere")
    other_team = TeamFactory(institution=elsewhere, kind=Team.Kind.RADIATION)
    stranger = UserFactory(username="ro-else", role=Role.RADIATION_ONCOLOGIST,
                           institution=elsewhere)
    add_member(other_team, stranger)
    services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    assert not case_is_visible(user=stranger, case_id=case.pk)
    assert not selectors.triage_queue(user=stranger).exists()


def test_one_open_radiotherapy_referral_per_case(case, neurosurgeon, radoncs) -> None:
    services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    with pytest.raises(ValidationError) as error:
        services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="again")
    assert "case" in error.value.message_dict
    assert Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY).count() == 1


def test_without_a_radiation_service_nothing_is_raised(case, neurosurgeon) -> None:
    with pytest.raises(ValidationError) as error:
        services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    assert "case" in error.value.message_dict
    assert not Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY).exists()


def test_who_may_refer(case, neurosurgeon, coordinator, outsider, radoncs) -> None:
    for person in (coordinator, outsider):
        with pytest.raises(PermissionDenied):
            services.radiotherapy_referral_raise(case=case, actor=person, reason="r")
    with pytest.raises(ValidationError) as error:
        services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r",
                                             urgency="purple")
    assert "urgency" in error.value.message_dict
    assert not Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY).exists()


@pytest.mark.parametrize(("pathway", "raised"), [
    ("srs", True), ("cebrt", True), ("separation_surgery_srs", False),
    ("systemic_therapy_observation", False),
])
def test_a_decision_for_srs_or_cebrt_refers(case, coordinator, radoncs, pathway,
                                            raised) -> None:
    referral = services.radiotherapy_referral_from_decision(
        case=case, pathway=pathway, urgency="orange", actor=coordinator, decision_id=42)
    assert (referral is not None) is raised
    if referral is not None:
        assert referral.urgency == "orange" and referral.status == ReferralStatus.SENT
        # a second decision while it is open raises nothing more
        assert services.radiotherapy_referral_from_decision(
            case=case, pathway=pathway, urgency="red", actor=coordinator,
            decision_id=43) is None


def test_an_accepted_radiotherapy_referral_does_not_bring_the_case_to_the_mdt(
        case, neurosurgeon, radoncs, coordinator, mdt_team) -> None:
    from meetings import services as meeting_services
    from meetings.agenda import agenda_eligible_cases

    referral = services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    services.referral_acknowledge(referral=referral, actor=radoncs[1])
    services.referral_accept(referral=referral, actor=radoncs[1])
    meeting = meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + timedelta(days=2), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 1", attendees=[])
    assert case.pk not in {c.pk for c in agenda_eligible_cases(meeting=meeting)}


def test_the_pages_refer_and_the_home_shows_the_queue(case, neurosurgeon, radoncs,
                                                      client: Client) -> None:
    client.force_login(neurosurgeon)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert reverse("referrals:radiotherapy-refer", args=[case.pk]) in page
    bad = client.post(reverse("referrals:radiotherapy-refer", args=[case.pk]),
                      {"urgency": "green", "reason": ""})
    assert bad.status_code == 200 and "reason" in bad.context["form"].errors
    response = client.post(reverse("referrals:radiotherapy-refer", args=[case.pk]),
                           {"urgency": "orange", "reason": "SBRT to T7 after surgery"})
    assert response.status_code == 302
    referral = Referral.objects.get(direction=TO_RADIATION_ONCOLOGY)
    client.force_login(radoncs[1])
    home = client.get(reverse("home-radonc"))
    assert home.status_code == 200
    assert referral in list(home.context["incoming"])
    assert case.patient.family_name in home.content.decode()


def test_a_radiotherapy_referral_is_never_listed_for_the_mdt(case, neurosurgeon,
                                                             radoncs) -> None:
    from referrals.states import IllegalMove

    referral = services.radiotherapy_referral_raise(case=case, actor=neurosurgeon, reason="r")
    services.referral_acknowledge(referral=referral, actor=radoncs[1])
    services.referral_accept(referral=referral, actor=radoncs[1])
    referral.refresh_from_db()
    team_ids = selectors.user_team_ids(radoncs[1])
    assert "list_for_mdt" not in selectors.allowed_actions(referral, user=radoncs[1],
                                                           team_ids=team_ids)
    with pytest.raises(IllegalMove):
        services.referral_list_for_mdt(referral=referral, actor=radoncs[1])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
