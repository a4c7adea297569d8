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
