"""Case lists run a constant number of SQL queries, whatever the number of cases."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

#: The same ceiling at 5 and at 50 cases. Measured after one warm-up request (per-process caches
#: such as guardian's content types filled, as in a running server): page 11 (session, user,
#: count, cases, ticks, audit row and its chain head, the alert bell, session save...), endpoint 5
#: (count, cases with joins, ticks prefetch, audit row and its chain head).
PAGE_MAX_QUERIES = 11
API_MAX_QUERIES = 5


def make_cases(n: int, actor, breast_team, spine_team, mdt_team) -> None:
    for i in range(n):
        case = create_case(actor=actor, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        if i % 2 == 0:  # half scored, with a ticked duty: every column has data to fetch
            add_lesion(case, actor=actor)
            services.assessment_create(case=case, actor=actor)
            services.duty_tick(case=case, event=case.current_event, duty_code="staging_workup",
                               actor=actor)


@pytest.mark.parametrize("n", [5, 50])
def test_case_list_page_queries_do_not_grow_with_cases(
    n, client, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(breast_surgeon)
    client.get(reverse("cases:case-list"))  # warm-up
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        response = client.get(reverse("cases:case-list"))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_case_list_endpoint_queries_do_not_grow_with_cases(
    n, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    api.get(reverse("api-cases"))  # warm-up
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api.get(reverse("api-cases"))
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_coordinators_list_is_constant_too(
    n, breast_surgeon, coordinator, breast_team, spine_team, mdt_team,
    django_assert_max_num_queries,
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(coordinator)
    api.get(reverse("api-cases"))  # warm-up
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api.get(reverse("api-cases"))
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_breast_home_page_with_its_case_list_is_constant(
    n, client, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(breast_surgeon)
    client.get(reverse("home-breast"))  # warm-up
    # The case table plus the outgoing-referral table (a second audit row, so a second chain
    # head update), the fired-but-unreferred triggers (2) and the coming agenda items (1):
    # constant, whatever the number of rows.
    with django_assert_max_num_queries(PAGE_MAX_QUERIES + 11):
        response = client.get(reverse("home-breast"))
    assert response.status_code == 200
