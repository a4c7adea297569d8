"""Rate limits per token: a 429 with Retry-After once a token's budget is spent; another token
(even of the same user) has its own."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from integrations.tokens import token_create
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def _fresh(*keys: str) -> None:
    # Only our keys: the throttle cache shares Redis with the broker in CI (never flush it).
    for key in keys:
        caches["throttle"].delete(key)


def test_a_token_over_its_rate_gets_429_with_retry_after(settings, breast_surgeon) -> None:
    settings.API_THROTTLE_RATE = "3/minute"
    first, raw_first = token_create(user=breast_surgeon, name="one")
    second, raw_second = token_create(user=breast_surgeon, name="two")
    _fresh(f"throttle-api-token-{first.pk}", f"throttle-api-token-{second.pk}")
    client = token_client(raw_first)
    assert [client.get(reverse("api-ping")).status_code for _ in range(3)] == [200] * 3
    refused = client.get(reverse("api-ping"))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    assert token_client(raw_second).get(reverse("api-ping")).status_code == 200


def test_a_session_is_limited_per_user(settings, api_client, breast_surgeon) -> None:
    settings.API_THROTTLE_RATE = "2/minute"
    _fresh(f"throttle-api-user-{breast_surgeon.pk}")
    api_client.force_login(breast_surgeon)
    codes = [api_client.get(reverse("api-ping")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_off_means_no_limit(settings, breast_surgeon) -> None:
    settings.API_THROTTLE_RATE = None
    _, raw = token_create(user=breast_surgeon, name="bulk")
    client = token_client(raw)
    assert {client.get(reverse("api-ping")).status_code for _ in range(30)} == {200}


def test_anonymous_requests_are_limited_by_the_trusted_client_address(settings, client) -> None:
    """X-Forwarded-For is the client's own words: a fresh value per request must not buy a
    fresh budget. Behind nginx (a trusted proxy) X-Real-IP names the client."""
    settings.API_THROTTLE_RATE = "2/minute"
    settings.TRUSTED_PROXIES = ["10.0.0.9"]
    _fresh("throttle-api-addr-198.51.100.7", "throttle-api-addr-203.0.113.1",
           "throttle-api-addr-203.0.113.2")
    url = reverse("api-auth-token")
    body = {"username": "nobody", "password": "wrong"}

    def post(**meta: str) -> int:
        return client.post(url, body, content_type="application/json", **meta).status_code

    forged = [post(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
              for n in range(3)]
    assert forged == [400, 400, 429]
    # Through the proxy: each client its own budget, whatever X-Forwarded-For says.
    proxied = [post(REMOTE_ADDR="10.0.0.9", HTTP_X_REAL_IP=f"203.0.113.{n}",
                    HTTP_X_FORWARDED_FOR="192.0.2.1") for n in (1, 2, 1, 2, 1)]
    assert proxied == [400, 400, 400, 400, 429]
