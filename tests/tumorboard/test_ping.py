"""The do-nothing authenticated endpoint: clients check credentials with it; benchmarks compare."""

import pytest

pytestmark = pytest.mark.django_db


def test_ping_answers_an_authenticated_caller_without_a_query(client, breast_surgeon,
                                                               django_assert_max_num_queries):
    client.force_login(breast_surgeon)
    client.get("/api/v1/ping/")  # warm-up: the session and user lookups are per request
    # The session and user reads and the sliding-expiry save (savepoint, update, release): no
    # query of its own.
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/ping/")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_ping_refuses_an_anonymous_caller(client):
    response = client.get("/api/v1/ping/")
    assert response.status_code in (401, 403)
    assert "ok" not in response.json()
