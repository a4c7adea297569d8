"""The triage queue's stored rank (``Referral.queue_rank``, CLINICAL.md §9) follows the urgency
whatever writes it, and the queue's page is read in order from its index on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from referrals import selectors
from referrals.models import Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

#: CLINICAL.md §9: red first, then orange, green, and a referral without an urgency last.
EXPECTED_RANK = {"red": 0, "orange": 1, "green": 2, "": 3}


def _queue(n, breast_surgeon, breast_team, spine_team, mdt_team) -> list[Referral]:
    referrals = []
    for _ in range(n):
        case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        add_lesion(case, actor=breast_surgeon)
        referrals.append(Referral.objects.get(case=case, direction="breast_to_neuro"))
    return referrals


def _rank(pk: int) -> int:
    return Referral.objects.values_list("queue_rank", flat=True).get(pk=pk)


def test_the_rank_follows_every_kind_of_write(breast_surgeon, breast_team, spine_team,
                                              mdt_team) -> None:
    (referral,) = _queue(1, breast_surgeon, breast_team, spine_team, mdt_team)
    # As the service raised it.
    assert _rank(referral.pk) == EXPECTED_RANK[referral.urgency]
    for urgency in ("red", "", "orange", "green"):
        # A plain queryset update (what a data fix or a script does): no save(), no signal.
        Referral.objects.filter(pk=referral.pk).update(urgency=urgency)
        assert _rank(referral.pk) == EXPECTED_RANK[urgency]
    # A model save (what the admin's form and the services do).
    referral.refresh_from_db()
    referral.urgency = "red"
    referral.save()
    assert _rank(referral.pk) == 0
    # SQL behind the ORM's back.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE referrals_referral SET urgency = %s WHERE id = %s",
                       ["orange", referral.pk])
    assert _rank(referral.pk) == 1


def test_the_queue_keeps_its_order_after_changes(client, neurosurgeon, breast_surgeon,
                                                 breast_team, spine_team, mdt_team) -> None:
    referrals = _queue(6, breast_surgeon, breast_team, spine_team, mdt_team)
    now = timezone.now()
    plan = [("green", 5), ("red", 9), ("", 1), ("orange", 3), ("red", 2), ("orange", 3)]
    for referral, (urgency, hours) in zip(referrals, plan, strict=True):
        Referral.objects.filter(pk=referral.pk).update(
            urgency=urgency, due_at=now + dt.timedelta(hours=hours))
    a, b, c, d, e, f = (r.pk for r in referrals)
    # red by due time, orange by due time (a tie: the newer first), green, none.
    expected = [e, b, max(d, f), min(d, f), a, c]
    client.force_login(neurosurgeon)
    page = client.get(reverse("referrals:referral-list"))
    assert [r.pk for r in page.context["incoming"]] == expected
    # The none becomes red and due first: it moves to the top at once.
    Referral.objects.filter(pk=c).update(urgency="red", due_at=now)
    page = client.get(reverse("referrals:referral-list"))
    assert [r.pk for r in page.context["incoming"]] == [c, *expected[:-1]]
    assert [r.pk for r in selectors.triage_queue(user=neurosurgeon)] == [c, *expected[:-1]]


def test_a_user_without_a_team_has_an_empty_queue(breast_surgeon, breast_team, spine_team,
                                                  mdt_team) -> None:
    from tests.factories import UserFactory

    _queue(2, breast_surgeon, breast_team, spine_team, mdt_team)
    assert list(selectors.triage_queue(user=UserFactory(username="loner"))) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_queue_page_is_read_in_order_from_its_index(neurosurgeon, breast_surgeon,
                                                        breast_team, spine_team,
                                                        mdt_team) -> None:
    """With sorting made prohibitive, the page's plan still has no Sort: the index serves the
    queue's order, and the LIMIT stops the scan (what the 25,000-row queue needs)."""
    _queue(3, breast_surgeon, breast_team, spine_team, mdt_team)
    sql, params = selectors.triage_queue(user=neurosurgeon)[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "referral_queue_order_idx" in plan, plan
    assert plan.lstrip().startswith("Limit"), plan
    assert " Sort " not in plan and not plan.lstrip().startswith("Sort"), plan
