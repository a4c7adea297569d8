"""The triage queue page and the referral list endpoint run a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.views import HOME_ROWS
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

#: The same ceiling at every size. Measured on SQLite and PostgreSQL: the queue page 12
#: (session, user, each list's count, one page of the non-empty list and its triggers prefetch,
#: audit row and its chain head, session save in its savepoint; the rows say which of
#: their teams are the user's, so no query reads the user's teams), the neurosurgeon's home 21
#: (tests/tumorboard/test_queries.py holds its ceiling with its own rows), endpoint 5 (count,
#: rows with joins, triggers prefetch, audit row and its chain head), alerts 2.
#: The audit row's chain head is two queries (locked, then moved: the keyed chain's MAC is
#: computed in Python between them), hence page 13 and home 23 (two audit rows). The queue
#: reads the user's teams first (one query), so that its page is read in order from
#: ``referral_queue_order_idx`` (tests/referrals/test_queue_rank.py): page 14, home 24.
#: Issue 22: a read's audit row is one INSERT (linked to the keyed chain out of the request,
#: cases.models.audit.chain_pending), and with REDIS_URL the session costs no query (four
#: without it: read, and the save in its savepoint). The ceilings are the counts without Redis.
#: Issue 22, session 8: the pages no longer ask for the bell (-1: the page asks for it once
#: shown), and the access rule reads the person's granting rows in one query of its own and
#: names their ids (+1 on every list that uses it).
PAGE_MAX_QUERIES = 12
HOME_MAX_QUERIES = 22  # with "My tasks" (2: its counts and its first tasks)
API_MAX_QUERIES = 4


def make_referrals(n, actor, breast_team, spine_team, mdt_team) -> None:
    from cases import services

    for i in range(n):
        case = create_case(actor=actor, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        add_lesion(case, actor=actor)
        if i % 2 == 0:
            services.assessment_create(case=case, actor=actor)


@pytest.mark.parametrize("n", [5, 120])
def test_the_triage_queue_page_is_constant(n, client, breast_surgeon, neurosurgeon, breast_team,
                                           spine_team, mdt_team,
                                           django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(neurosurgeon)
    url = reverse("referrals:referral-list")
    for page in ("1", "3"):  # the last page at 120 (50 + 50 + 20); the only one at 5
        with django_assert_max_num_queries(PAGE_MAX_QUERIES):
            response = client.get(url, {"page": page})
        queue = response.context["incoming"]
        assert queue.paginator.count == n
        assert len(queue) == (20 if n == 120 and page == "3" else min(n, 50))
        assert f"{n} waiting".encode() in response.content
    assert b"acknowledge" in response.content.lower()


@pytest.mark.parametrize("n", [5, 120])
def test_the_outgoing_list_is_paged_in_constant_queries(n, client, breast_surgeon, breast_team,
                                                        spine_team, mdt_team,
                                                        django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(breast_surgeon)
    for page in ("1", "3"):
        with django_assert_max_num_queries(PAGE_MAX_QUERIES):
            response = client.get(reverse("referrals:referral-list"), {"sent": page})
        outgoing = response.context["outgoing"]
        assert outgoing.paginator.count == n
        assert len(outgoing) == (20 if n == 120 and page == "3" else min(n, 50))


@pytest.mark.parametrize("n", [5, 120])
def test_the_neurosurgeon_home_shows_the_first_page_in_constant_queries(
        n, client, breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
        django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(neurosurgeon)
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = client.get(reverse("home-neuro"))
    # The home shows the most urgent (HOME_ROWS) and links the whole queue.
    assert len(response.context["incoming"]) == min(n, HOME_ROWS)
    assert reverse("referrals:referral-list").encode() in response.content


@pytest.mark.parametrize("n", [5, 50])
def test_the_referral_list_endpoint_is_constant(n, breast_surgeon, neurosurgeon, breast_team,
                                                spine_team, mdt_team,
                                                django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(neurosurgeon)
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api.get(reverse("api-referrals"))
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_alert_list_endpoint_is_constant(n, breast_surgeon, neurosurgeon, breast_team,
                                             spine_team, mdt_team,
                                             django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(neurosurgeon)
    with django_assert_max_num_queries(2):
        response = api.get(reverse("api-alerts"))
    assert len(response.json()["results"]) == n
