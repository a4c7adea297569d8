"""The triage queue page and the referral list endpoint run a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

#: The same ceiling at 5 and 50 referrals. Measured on SQLite: page 11-12 (session, user, teams,
#: queue, outgoing, triggers prefetches, audit and its chain head, bell...), endpoint 5 (count,
#: rows with joins, triggers prefetch, audit row and its chain head), alerts 2.
PAGE_MAX_QUERIES = 12
API_MAX_QUERIES = 5


def make_referrals(n, actor, breast_team, spine_team, mdt_team) -> None:
    from cases import services

    for i in range(n):
        case = create_case(actor=actor, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        add_lesion(case, actor=actor)
        if i % 2 == 0:
            services.assessment_create(case=case, actor=actor)


@pytest.mark.parametrize("n", [5, 50])
def test_the_triage_queue_page_is_constant(n, client, breast_surgeon, neurosurgeon, breast_team,
                                           spine_team, mdt_team,
                                           django_assert_max_num_queries) -> None:
    make_referrals(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(neurosurgeon)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        response = client.get(reverse("referrals:referral-list"))
    assert len(response.context["incoming"]) == n
    assert b"acknowledge" in response.content.lower()


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
