"""Referral pages: the triage queue on the neurosurgeon's home, one-click moves, the flag form,
the occult-primary checklist, the bell, the coordinator's overdue list and the measures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals.models import Alert, Referral

pytestmark = pytest.mark.django_db


def test_the_neurosurgeon_home_shows_the_queue_and_acknowledges_in_one_click(
    client, referral, neurosurgeon
) -> None:
    client.force_login(neurosurgeon)
    home = reverse("home-neuro")
    response = client.get(home)
    assert [r.pk for r in response.context["incoming"]] == [referral.pk]
    assert b"SINS 7 or more" in response.content
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


def test_the_bell_counts_unread_alerts_for_every_page(client, referral, dave) -> None:
    """Every page carries the bell's address; the number comes from it once the page is shown
    (static/js/app.js; the browser journeys see it filled in)."""
    client.force_login(dave)
    page = client.get(reverse("referrals:alert-list")).content.decode()
    bell_url = reverse("referrals:alert-bell")
    assert f'data-bell="{bell_url}"' in page
    assert client.get(bell_url).json() == {"unread": 1, "words": "1"}
    alert = Alert.objects.get(recipient=dave)
    client.post(reverse("referrals:alert-ack", args=[alert.pk]))
    assert client.get(bell_url).json() == {"unread": 0, "words": ""}


def test_the_bell_needs_a_signed_in_person_and_a_get(client, dave) -> None:
    bell_url = reverse("referrals:alert-bell")
    assert client.get(bell_url).status_code == 302  # to the sign-in page
    client.force_login(dave)
    assert client.post(bell_url).status_code == 405


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


@pytest.fixture
def queue_of_three(client, monkeypatch, neurosurgeon, breast_surgeon, breast_team, spine_team,
                   mdt_team) -> list[int]:
    """Queue pages of 2, the neurosurgeon logged in, and three referrals in the spine team's
    queue, returned in priority order: red, then two orange ones by their due time."""
    from portal import views as homes
    from referrals import views
    from tests.factories import add_lesion, create_case

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    monkeypatch.setattr(homes, "HOME_ROWS", 2)
    client.force_login(neurosurgeon)
    now = timezone.now()
    wanted = [("orange", 30), ("red", 20), ("orange", 10)]
    ids = []
    for urgency, hours in wanted:
        case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        add_lesion(case, actor=breast_surgeon)
        referral = Referral.objects.get(case=case, direction="breast_to_neuro")
        Referral.objects.filter(pk=referral.pk).update(
            urgency=urgency, due_at=now + dt.timedelta(hours=hours))
        ids.append(referral.pk)
    return [ids[1], ids[2], ids[0]]


def test_the_triage_queue_is_paged_in_priority_order_with_an_accessible_pager(
        client, queue_of_three) -> None:
    expected = queue_of_three
    url = reverse("referrals:referral-list")

    first = client.get(url)
    html = first.content.decode()
    assert [r.pk for r in first.context["incoming"]] == expected[:2]
    assert "3 waiting" in html
    assert '<nav class="pager" aria-label="Triage queue pages">' in html
    assert "page 1 of 2" in html and 'href="?page=2" rel="next"' in html
    assert 'rel="prev"' not in html

    second = client.get(url, {"page": "2"})
    assert [r.pk for r in second.context["incoming"]] == expected[2:]
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    # A page number that is not one, or past the end, gives the first or the last page.
    assert [r.pk for r in client.get(url, {"page": "x"}).context["incoming"]] == expected[:2]
    assert [r.pk for r in client.get(url, {"page": "99"}).context["incoming"]] == expected[2:]


def test_an_action_on_a_later_page_returns_to_that_page(
        client, queue_of_three) -> None:
    expected = queue_of_three
    url = reverse("referrals:referral-list")
    page = client.get(url, {"page": "2"}).content.decode()
    assert 'name="next" value="/referrals/?page=2"' in page
    moved = client.post(reverse("referrals:referral-act", args=[expected[2], "acknowledge"]),
                        {"next": f"{url}?page=2"})
    assert moved.status_code == 302 and moved.url == f"{url}?page=2"


def test_the_neurosurgeon_home_shows_the_first_page_and_links_the_whole_queue(
        client, queue_of_three) -> None:
    expected = queue_of_three
    # ?page= pages the case table of the home, never the queue: the home shows its first page.
    response = client.get(reverse("home-neuro"), {"page": "2"})
    assert [r.pk for r in response.context["incoming"]] == expected[:2]
    html = response.content.decode()
    assert "The 2 most urgent of 3 waiting." in html
    assert f'<a href="{reverse("referrals:referral-list")}">The whole triage queue</a>' in html


def test_each_row_offers_the_moves_of_the_user_s_side_of_the_referral(
        client, referral, neurosurgeon, breast_surgeon, breast_team) -> None:
    from tests.factories import add_member

    url = reverse("referrals:referral-list")
    client.force_login(neurosurgeon)
    assert [r.actions for r in client.get(url).context["incoming"]] == [["acknowledge"]]
    client.force_login(breast_surgeon)
    assert [r.actions for r in client.get(url).context["outgoing"]] == [["cancel"]]
    # In both teams: both sides' moves, on the row of either list.
    add_member(breast_team, neurosurgeon)
    client.force_login(neurosurgeon)
    page = client.get(url).context
    assert [r.actions for r in page["incoming"]] == [["acknowledge", "cancel"]]
    assert [r.actions for r in page["outgoing"]] == [["acknowledge", "cancel"]]
