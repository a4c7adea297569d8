"""API tokens expire (API_TOKEN_TTL_DAYS, or a longer term given by create_integration_client), a
person holds at most API_TOKENS_PER_USER live ones, and a token's user never changes: not in the
admin, not through the ORM (issue 15, point 6)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from integrations import tokens
from integrations.models import ApiToken, TokenOwnerChange
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _issue(api_client, username: str = "alice"):
    return api_client.post(reverse("api-auth-token"), {
        "username": username, "password": PASSWORD, "name": "ward system"}, format="json")


# --- expiry -----------------------------------------------------------------------------------


def test_a_token_lives_the_configured_days_then_is_refused_with_a_clear_401(
    api_client, care_case, breast_surgeon, settings
) -> None:
    settings.API_TOKEN_TTL_DAYS = 90
    created = timezone.now()
    with time_machine.travel(created, tick=False):
        body = _issue(api_client).json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.expires_at == created + timedelta(days=90)
    assert body["expires_at"]
    client = token_client(body["token"])
    with time_machine.travel(created + timedelta(days=90) - timedelta(seconds=1), tick=False):
        assert client.get(reverse("api-cases")).status_code == 200
    with time_machine.travel(created + timedelta(days=90), tick=False):
        refused = client.get(reverse("api-cases"))
    assert refused.status_code == 401
    assert "token expired at" in refused.json()["detail"]
    assert care_case.patient.family_name not in refused.content.decode()


def test_an_expired_token_is_refused_on_every_kind_of_request(care_case, breast_surgeon) -> None:
    token, raw = tokens.token_create(user=breast_surgeon, name="his")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = token_client(raw)
    assert client.get(reverse("api-case", args=[care_case.pk])).status_code == 401
    assert client.post(reverse("api-case-assessments", args=[care_case.pk]), {},
                       format="json").status_code == 401


def test_the_command_gives_a_hospital_system_a_longer_term(breast_team, care_case) -> None:
    out = StringIO()
    before = timezone.now()
    call_command("create_integration_client", "his-south", "--team", breast_team.name,
                 "--token-days", "365", stdout=out)
    token = ApiToken.objects.get(user__username="his-south")
    assert before + timedelta(days=365) <= token.expires_at <= timezone.now() + timedelta(days=365)
    assert "365 days" in out.getvalue()
    raw = out.getvalue().strip().splitlines()[-1]
    assert token_client(raw).get(reverse("api-cases")).status_code == 200


def test_the_command_refuses_a_term_out_of_bounds(breast_team) -> None:
    for days in ("0", "10000"):
        with pytest.raises(CommandError, match="--token-days"):
            call_command("create_integration_client", "his-south", "--team", breast_team.name,
                         "--token-days", days, stdout=StringIO())
    assert not ApiToken.objects.exists()


# --- how many live tokens ------------------------------------------------------------------


def test_one_token_more_than_the_limit_is_a_409_naming_the_reason(
    api_client, breast_surgeon, settings
) -> None:
    settings.API_TOKENS_PER_USER = 3
    for _ in range(3):
        assert _issue(api_client).status_code == 201
    refused = _issue(api_client)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "token_limit" and body["limit"] == 3
    assert "API_TOKENS_PER_USER" in body["detail"] and "token" not in body
    assert ApiToken.objects.filter(user=breast_surgeon).count() == 3


def test_revoked_and_expired_tokens_do_not_count_toward_the_limit(breast_surgeon,
                                                                   settings) -> None:
    settings.API_TOKENS_PER_USER = 2
    first, _ = tokens.token_create(user=breast_surgeon, name="a")
    second, _ = tokens.token_create(user=breast_surgeon, name="b")
    with pytest.raises(tokens.TokenLimitReached):
        tokens.token_create(user=breast_surgeon, name="c")
    tokens.token_revoke(token=first)
    ApiToken.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    tokens.token_create(user=breast_surgeon, name="c")
    tokens.token_create(user=breast_surgeon, name="d")


def test_the_command_at_the_limit_fails_naming_the_reason(breast_team, settings) -> None:
    settings.API_TOKENS_PER_USER = 1
    call_command("create_integration_client", "his-south", "--team", breast_team.name,
                 stdout=StringIO())
    with pytest.raises(CommandError, match="API_TOKENS_PER_USER"):
        call_command("create_integration_client", "his-south", "--team", breast_team.name,
                     stdout=StringIO())


# --- the user of a token never changes ------------------------------------------------------


def test_the_admin_cannot_give_a_token_to_another_person(
    client, admin_person, breast_surgeon, neurosurgeon
) -> None:
    token, raw = tokens.token_create(user=breast_surgeon, name="his")
    client.force_login(admin_person)
    url = reverse("admin:integrations_apitoken_change", args=[token.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()  # shown, not editable
    client.post(url, {"name": "his", "user": neurosurgeon.pk})
    token.refresh_from_db()
    assert token.user_id == breast_surgeon.pk
    # The token still acts as the person it was made for (it lists that person's tokens).
    listed = token_client(raw).get(reverse("api-auth-tokens")).json()["results"]
    assert [row["id"] for row in listed] == [token.pk]


def test_the_orm_refuses_to_change_a_tokens_user(breast_surgeon, neurosurgeon) -> None:
    token, _ = tokens.token_create(user=breast_surgeon, name="his")
    token.user = neurosurgeon
    with pytest.raises(TokenOwnerChange):
        token.save()
    with pytest.raises(TokenOwnerChange):
        ApiToken(pk=token.pk, user=neurosurgeon, name="x", prefix="p", digest="d",
                 expires_at=timezone.now()).save()
    with pytest.raises(TokenOwnerChange):
        ApiToken.objects.filter(pk=token.pk).update(user=neurosurgeon)
    with pytest.raises(TokenOwnerChange):
        ApiToken.objects.filter(pk=token.pk).update(user_id=neurosurgeon.pk)
    with pytest.raises(TokenOwnerChange):
        ApiToken.objects.bulk_update([token], ["user"])
    assert ApiToken.objects.get(pk=token.pk).user_id == breast_surgeon.pk
    # Other fields still save.
    token.refresh_from_db()
    token.name = "renamed"
    token.save()
    assert ApiToken.objects.get(pk=token.pk).name == "renamed"
