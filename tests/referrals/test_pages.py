"""Referral pages: the triage queue on the neurosurgeon's home, one-click moves, the flag form,
the occult-primary checklist, the bell, the coordinator's overdue list and the measures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from referrals.models import Alert, Referral

pytestmark = pytest.mark.django_db


def test_the_neurosurgeon_home_shows_the_queue_and_acknowledges_in_one_click(
    client, referral, neurosurgeon
) -> None:
    client.force_login(neurosurgeon)
    home = reverse("home-neuro")
    response = client.get(home)
    assert [r.pk for r in response.context["incoming"]] == [referral.pk]
    assert b"sins 7 or more" in response.content
    # A green referral raised just now is due in 7 days: the clock shows the time left.
    assert b"6\xc2\xa0days, 23\xc2\xa0hours left" in response.content
    moved = client.post(reverse("referrals:referral-act", args=[referral.pk, "acknowledge"]),
                        {"next": home})
    assert moved.status_code == 302 and moved.url == home
    referral.refresh_from_db()
    assert referral.status == "acknowledged"


def test_an_illegal_move_on_the_page_shows_a_message_and_changes_nothing(
    client, referral, neurosurgeon
) -> None:
    client.force_login(neurosurgeon)
    response = client.post(reverse("referrals:referral-act", args=[referral.pk, "accept"]),
                           follow=True)
    assert b"Not done: cannot accept a referral that is sent" in response.content
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_breast_surgeon_flags_a_deficit_from_the_form(
    client, breast_surgeon, neurosurgeon, breast_team, spine_team
) -> None:
    from tests.factories import create_case

    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    client.force_login(breast_surgeon)
    url = reverse("referrals:flag-trigger", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"trigger_codes": ["neurological_deficit"], "note": "weak leg"})
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302 and referral.urgency == "red"


def test_the_case_page_lists_its_open_referrals(client, care_case, referral, breast_surgeon):
    client.force_login(breast_surgeon)
    response = client.get(reverse("cases:case-detail", args=[care_case.pk]))
    assert f"Referral #{referral.pk}".encode() in response.content
    assert reverse("referrals:flag-trigger", args=[care_case.pk]).encode() in response.content


def test_the_bell_shows_unread_alerts_on_every_page(client, referral, dave) -> None:
    client.force_login(dave)
    response = client.get(reverse("referrals:alert-list"))
    assert b'Alerts <span class="count">1<span class="visually-hidden"> unread' in response.content
    alert = Alert.objects.get(recipient=dave)
    client.post(reverse("referrals:alert-ack", args=[alert.pk]))
    after = client.get(reverse("referrals:alert-list")).content
    assert b">Alerts</a>" in after and b'class="count"' not in after


def test_the_coordinator_sees_overdue_referrals_and_the_measures(client, referral,
                                                                  coordinator) -> None:
    with time_machine.travel(referral.due_at + dt.timedelta(hours=1), tick=False):
        client.force_login(coordinator)  # a fresh session at the travelled time
        response = client.get(reverse("home-coordinator"))
    assert [r.pk for r in response.context["overdue"]] == [referral.pk]
    assert client.get(reverse("referrals:metrics")).status_code == 200


def test_the_measures_count_time_to_acknowledge_and_overdue(referral, neurosurgeon) -> None:
    from referrals import metrics, services

    with time_machine.travel(referral.sent_at + dt.timedelta(hours=2), tick=False):
        services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    with time_machine.travel(referral.sent_at + dt.timedelta(days=8), tick=False):
        services.referral_accept(referral=referral, actor=neurosurgeon)
        rows = metrics.team_metrics(user=neurosurgeon)
    assert len(rows) == 1
    assert rows[0].median_hours_to_acknowledge == 2.0
    assert rows[0].median_hours_to_decision == 192.0
    assert rows[0].overdue_share == 1.0  # decided after its 7-day due time


def test_the_occult_primary_checklist_is_ticked_on_its_page(
    client, neurosurgeon, breast_surgeon, breast_team, spine_team
) -> None:
    from tests.factories import add_lesion, create_case

    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown")
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    referral = Referral.objects.get(case=case, direction="neuro_to_breast")
    client.force_login(breast_surgeon)
    page = client.get(reverse("referrals:referral-detail", args=[referral.pk]))
    assert b"Occult-primary work-up" in page.content
    client.post(reverse("referrals:workup-tick", args=[referral.pk, "history"]))
    assert referral.workup_items.get(code="history").done_by == breast_surgeon
