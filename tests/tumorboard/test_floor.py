"""The floor: an authenticated request that does nothing costs at most 2 SQL queries (the user,
and at most once a minute the session row's sliding expiry), with the session read from the
shared cache (tumorboard.sessions) and the access rules intact."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PING = "/api/v1/ping/"


class BrokenCache(LocMemCache):
    """A cache whose server is away (Redis restarting): every call raises."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    set = add = delete = get  # type: ignore[assignment]


def _sessions_cache(settings: Any, backend: str) -> None:
    settings.CACHES = {**settings.CACHES, "sessions": {
        "BACKEND": backend, "LOCATION": f"floor-{uuid.uuid4().hex}"}}


@pytest.fixture
def shared_cache(settings: Any) -> None:
    """The sessions cache as production has it (one cache for every process: Redis there; a
    memory cache is the same thing inside this one test process)."""
    _sessions_cache(settings, "django.core.cache.backends.locmem.LocMemCache")


def _queries(client: Any, url: str = PING) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries]


def test_the_authenticated_floor_is_at_most_two_queries(client, breast_surgeon, shared_cache,
                                                        django_assert_max_num_queries) -> None:
    client.force_login(breast_surgeon)
    client.get(PING)  # the first request after the login writes the row's expiry
    for _ in range(3):
        with django_assert_max_num_queries(2):
            response = client.get(PING)
        assert response.json() == {"ok": True}
    # What is left is the user (is_active, the password's session hash): no session query.
    sql = _queries(client)
    assert not [q for q in sql if "django_session" in q], sql
    assert len(sql) == 1 and "tumorboard_user" in sql[0], sql


def test_the_session_row_still_slides_and_every_change_reaches_it(
        client, breast_surgeon, shared_cache) -> None:
    client.force_login(breast_surgeon)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(PING)
    written = Session.objects.get(session_key=key).expire_date
    # Within the refresh interval the row is left alone...
    assert not [q for q in _queries(client) if "django_session" in q]
    assert Session.objects.get(session_key=key).expire_date == written
    # ...past it (the marker's lifetime ran out), the request rewrites the row's expiry.
    caches["sessions"].delete(f"django.contrib.sessions.cached_db{key}:db")
    updates = [q for q in _queries(client) if q.startswith("UPDATE") and "django_session" in q]
    assert len(updates) == 1
    assert Session.objects.get(session_key=key).expire_date > written


def test_a_logout_ends_the_session_for_every_process(client, breast_surgeon,
                                                     shared_cache) -> None:
    client.force_login(breast_surgeon)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(PING).status_code == 200
    client.post("/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    assert client.get(PING).status_code in (401, 403)


def test_a_session_that_is_only_in_the_database_is_read_from_it(client, breast_surgeon,
                                                                shared_cache) -> None:
    client.force_login(breast_surgeon)
    caches["sessions"].clear()  # Redis restarted empty
    sql = _queries(client)
    assert [q for q in sql if q.startswith("SELECT") and "django_session" in q]
    assert not [q for q in _queries(client) if "django_session" in q]  # cached again


def test_a_cache_that_is_down_leaves_the_database_to_answer(client, breast_surgeon,
                                                            settings) -> None:
    _sessions_cache(settings, "tests.tumorboard.test_floor.BrokenCache")
    client.force_login(breast_surgeon)
    for _ in range(2):
        sql = _queries(client)
        assert [q for q in sql if q.startswith("UPDATE") and "django_session" in q]
    # A logout whose cache entry cannot be removed is refused (503, to retry), rather than leave
    # the session alive in a cache that comes back.
    client.raise_request_exception = False
    response = client.post("/logout/")
    assert response.status_code == 503 and response["Retry-After"]


def test_an_anonymous_caller_is_still_refused(client, shared_cache) -> None:
    assert client.get(PING).status_code in (401, 403)
