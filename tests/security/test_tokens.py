"""API tokens under attack: revocation takes effect on the very next request, a login lockout
stops password guessing on the token endpoint too, and does not cut off a working token."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from integrations import tokens

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _bearer(raw: str) -> APIClient:
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api


def test_a_revoked_token_is_refused_on_the_next_request(care_case, breast_surgeon) -> None:
    token, raw = tokens.token_create(user=breast_surgeon, name="his", created_by=breast_surgeon)
    _, other_raw = tokens.token_create(user=breast_surgeon, name="admin", created_by=breast_surgeon)
    api, manager = _bearer(raw), _bearer(other_raw)
    case_url = reverse("api-case", args=[care_case.pk])
    assert api.get(case_url).status_code == 200
    revoked = manager.delete(reverse("api-auth-token-revoke", args=[token.pk]))
    assert revoked.status_code == 200
    # The same client, the same connection, straight after: refused, with no data.
    again = api.get(case_url)
    assert again.status_code == 401 and care_case.patient.family_name not in again.content.decode()
    assert api.post(reverse("api-case-assessments", args=[care_case.pk]), {},
                    format="json").status_code == 401
    assert manager.get(case_url).status_code == 200  # the other token still works


def test_the_token_endpoint_is_locked_out_like_the_login_page(breast_surgeon) -> None:
    api = APIClient(REMOTE_ADDR="10.0.0.7")
    url = reverse("api-auth-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api.post(url, {"username": "alice", "password": "wrong-guess-x"},
                        format="json").status_code in (400, 429)
    locked = api.post(url, {"username": "alice", "password": PASSWORD}, format="json")
    assert locked.status_code in (400, 403, 429) and "token" not in locked.json()


def test_a_lockout_does_not_cut_off_a_working_token(care_case, breast_surgeon) -> None:
    _, raw = tokens.token_create(user=breast_surgeon, name="his", created_by=breast_surgeon)
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(reverse("login"), {"username": "alice", "password": "wrong-guess-x"})
    assert guesser.post(reverse("login"), {"username": "alice",
                                           "password": PASSWORD}).status_code == 429
    # The integration using a token from the same address is not a password login.
    assert _bearer(raw).get(reverse("api-case", args=[care_case.pk])).status_code == 200
