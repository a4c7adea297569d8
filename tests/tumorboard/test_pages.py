"""The shared layout of every page: time zone, inactivity keep-alive, search, empty states,
confirmations, the 404 page and the case page's pictures."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import PatientFactory, add_lesion, create_case

pytestmark = pytest.mark.django_db


def test_times_show_in_the_persons_time_zone(client, breast_surgeon, care_case) -> None:
    breast_surgeon.time_zone = "America/New_York"
    breast_surgeon.save(update_fields=["time_zone"])
    client.force_login(breast_surgeon)
    html = client.get(reverse("cases:case-list")).content.decode()
    local = care_case.updated_at.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert "Times are shown in America/New_York" in html


@pytest.mark.parametrize("zone", ["", "Mars/Olympus_Mons"])
def test_a_blank_or_unknown_time_zone_falls_back_to_the_default(
    zone, client, settings, breast_surgeon, care_case
) -> None:
    settings.TIME_ZONE = "Europe/London"
    breast_surgeon.time_zone = zone
    breast_surgeon.save(update_fields=["time_zone"])
    client.force_login(breast_surgeon)
    html = client.get(reverse("cases:case-list")).content.decode()
    local = care_case.updated_at.astimezone(ZoneInfo("Europe/London"))
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert "Times are shown in Europe/London" in html


def test_keepalive_answers_a_signed_in_person_and_sends_others_to_login(
    client, settings, breast_surgeon
) -> None:
    settings.SESSION_COOKIE_AGE = 900
    url = reverse("session-keepalive")
    assert client.get(url).status_code == 302
    client.force_login(breast_surgeon)
    response = client.get(url)
    assert response.status_code == 200 and response.json() == {"seconds_left": 900}
    assert "no-cache" in response["Cache-Control"]
    page = client.get(reverse("home-breast")).content.decode()
    assert 'data-session-seconds="900"' in page and 'id="session-warning"' in page


def test_search_finds_own_cases_by_mrn_or_name_and_never_another_teams(
    client, breast_surgeon, outsider, breast_team, spine_team
) -> None:
    mine = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       patient=PatientFactory(institution=breast_surgeon.institution,
                                              mrn="RIV-7788", family_name="Quennell"))
    create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                patient=PatientFactory(institution=breast_surgeon.institution,
                                       mrn="RIV-1111", family_name="Other"))
    client.force_login(breast_surgeon)
    for query in ("RIV-7788", "riv-77", "quenn", "Jane Quennell"):
        html = client.get(reverse("cases:case-list"), {"q": query}).content.decode()
        assert reverse("cases:case-detail", args=[mine.pk]) in html, query
        assert "RIV-1111" not in html, query
    client.force_login(outsider)
    html = client.get(reverse("cases:case-list"), {"q": "RIV-7788"}).content.decode()
    assert "Quennell" not in html and "No case of your care teams matches" in html


def test_home_pages_say_clearly_when_there_is_nothing(client, neurosurgeon, coordinator,
                                                      oncologist) -> None:
    client.force_login(neurosurgeon)
    html = client.get(reverse("home-neuro")).content.decode()
    assert "No referrals waiting" in html and "No operation planned" in html
    client.force_login(coordinator)
    html = client.get(reverse("home-coordinator")).content.decode()
    assert "No meeting coming" in html and "No overdue referrals" in html
    client.force_login(oncologist)
    assert "No case in your care teams yet" in client.get(reverse("home-oncology")).content.decode()


def test_breast_home_drops_a_trigger_whose_referral_the_sender_cancelled(
    client, breast_surgeon, care_case
) -> None:
    """A cancelled referral answers the findings it carried: the sender withdrew it on purpose,
    with a reason (issue 17; new evidence lists it again: tests/referrals/test_follows_patient)."""
    from cases import services as case_services
    from referrals import services

    case_services.assessment_create(case=care_case, actor=breast_surgeon)
    referral = care_case.referrals.get(direction="breast_to_neuro")
    client.force_login(breast_surgeon)
    html = client.get(reverse("home-breast")).content.decode()
    assert "No fired trigger is waiting for a referral" in html
    services.referral_cancel(referral=referral, actor=breast_surgeon, note="wrong patient")
    html = client.get(reverse("home-breast")).content.decode()
    assert "No fired trigger is waiting for a referral" in html
    assert reverse("referrals:flag-trigger", args=[care_case.pk]) not in html


def test_neurosurgeon_home_lists_accepted_cases_and_surgeries_by_date(
    client, neurosurgeon, breast_surgeon, care_case
) -> None:
    import datetime as dt

    from cases.models import Case
    from referrals import services

    referral = care_case.referrals.get(direction="breast_to_neuro")
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_accept(referral=referral, actor=neurosurgeon)
    Case.objects.filter(pk=care_case.pk).update(phase="pre_operative",
                                                planned_surgery_date=dt.date(2031, 3, 4))
    client.force_login(neurosurgeon)
    html = client.get(reverse("home-neuro")).content.decode()
    assert f"referral #{referral.pk}" in html
    assert "Tue 4 Mar 2031" in html


def test_destructive_actions_ask_for_confirmation(client, breast_surgeon, care_case) -> None:
    referral = care_case.referrals.get(direction="breast_to_neuro")
    client.force_login(breast_surgeon)
    html = client.get(reverse("referrals:referral-detail", args=[referral.pk])).content.decode()
    assert f'data-confirm="Cancel referral #{referral.pk}?' in html


def test_an_outsider_gets_the_404_page_without_patient_data(client, outsider, care_case) -> None:
    client.force_login(outsider)
    response = client.get(reverse("cases:case-detail", args=[care_case.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and care_case.patient.family_name not in html


def test_case_page_draws_the_timeline_and_the_spine(client, breast_surgeon, care_case) -> None:
    add_lesion(care_case, actor=breast_surgeon, levels=["L2", "L3"], bilsky="0",
               imaging_date=care_case.created_at.date())
    client.force_login(breast_surgeon)
    html = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert 'class="diagram timeline-svg"' in html and 'class="phase current"' in html
    assert html.count('class="vertebra') == 30
    assert "T7: SINS 9 (indeterminate), Bilsky 1b, urgency green" in html
    assert "L2-L3" in html


def test_lesion_message_says_the_referral_was_raised(client, breast_surgeon, breast_team,
                                                     spine_team) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    client.force_login(breast_surgeon)
    response = client.post(reverse("cases:lesion-create", args=[case.pk]), {
        "levels": "T7", "imaging_date": "2026-01-05", "pain": "mechanical",
        "bone_lesion": "lytic", "alignment": "normal", "collapse": "under_50",
        "posterolateral": "unilateral", "bilsky": "1b"}, follow=True)
    referral = case.referrals.get(direction="breast_to_neuro")
    assert (f"Lesion T7 added. Referral {referral.pk} raised to the spine team (green): SINS 7 or "
            "more") in response.content.decode()
