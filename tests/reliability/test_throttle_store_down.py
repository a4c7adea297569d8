"""Redis away (issue 16): the API rate limiter fails open; no request becomes a 500.

The throttle cache is pointed at a throwaway ``redis-server`` (as the broker-outage test does
with the broker), which is killed while a client calls the API and started again afterwards.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.urls import reverse

from integrations import throttling
from integrations.tokens import token_create
from tests.api.conftest import token_client
from tests.reliability.conftest import RedisServer, record_figures

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def throttle_on_throwaway_redis(settings, throwaway_redis: RedisServer) -> RedisServer:
    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": throwaway_redis.url, "KEY_PREFIX": "tb",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    settings.API_THROTTLE_RATE = "1000/minute"
    # A fresh view of the store for this test (the process may have seen other outages).
    state = throttling._StoreState()
    original, throttling.STATE = throttling.STATE, state
    yield throwaway_redis
    throttling.STATE = original


def test_the_rate_limiter_fails_open_when_redis_is_down_and_logs_it_once(
        throttle_on_throwaway_redis: RedisServer, breast_surgeon, client, caplog,
        settings) -> None:
    redis = throttle_on_throwaway_redis
    _, raw = token_create(user=breast_surgeon, name="during the outage")
    api = token_client(raw)
    ping = reverse("api-ping")
    assert api.get(ping).status_code == 200
    caplog.set_level(logging.WARNING, logger="integrations.throttling")

    redis.stop()
    started = time.monotonic()
    codes = [api.get(ping).status_code for _ in range(40)]
    seconds = time.monotonic() - started
    anonymous = client.post(reverse("api-auth-token"), {"username": "x", "password": "y"},
                            content_type="application/json").status_code
    assert codes == [200] * 40 and anonymous == 400
    assert seconds < 5, f"40 requests took {seconds:.1f} s with Redis down"
    down_lines = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(down_lines) == 1
    health = client.get(reverse("health")).json()["checks"]["rate_limiter"]
    assert health["failing_open"] is True and health["requests_let_through"] == 41

    redis.start()
    throttling.STATE.retry_at = 0  # do not wait STORE_RETRY_SECONDS for the next try
    assert api.get(ping).status_code == 200
    assert client.get(reverse("health")).json()["checks"]["rate_limiter"]["ok"] is True
    assert any("back after" in r.getMessage() for r in caplog.records)
    settings.API_THROTTLE_RATE = "2/minute"
    assert [api.get(ping).status_code for _ in range(3)][-1] == 429, "limits again"
    record_figures("throttle-redis-down", requests_during_outage=41, answers_500=0,
                   seconds_for_40_requests=round(seconds, 2), warnings_logged=len(down_lines),
                   health_requests_let_through=health["requests_let_through"])
