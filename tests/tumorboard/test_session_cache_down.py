"""The session cache (Redis) away at a logout: the session cannot be forgotten by the cache, so the
request is refused with 503 and Retry-After (tumorboard.sessions, tumorboard.dbguard), never a 500
and never a silent success that a returning Redis could undo."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from tests.factories import UserFactory
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

#: A real Redis client against a port nothing listens on: every call fails as when Redis is down.
DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                 "LOCATION": "throttle-down"},
    "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                 "LOCATION": "redis://127.0.0.1:1/0",
                 "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
}


@override_settings(CACHES=DOWN)
def test_a_logout_with_the_session_cache_down_is_a_503_to_retry() -> None:
    caches._settings = None  # the overridden CACHES take effect for the aliases read below
    user = UserFactory(username="dora", role=Role.BREAST_ONCOSURGEON)
    client = Client(raise_request_exception=False)
    client.force_login(user)  # the cache is skipped: the database holds the session
    assert client.get("/").status_code in (200, 302)
    response = client.post("/logout/")
    assert response.status_code == 503
    assert response["Retry-After"]
