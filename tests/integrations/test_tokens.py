"""API tokens: shown once, stored hashed, revocable; integration clients read only, and only
the cases of the teams they are granted."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from integrations.models import ApiToken
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def _issue(api_client, username: str = "alice") -> dict:
    response = api_client.post(reverse("api-auth-token"), {
        "username": username, "password": "correct-horse-battery", "name": "ward system"},
        format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_token_is_shown_once_and_only_its_sha256_is_stored(api_client, breast_surgeon):
    body = _issue(api_client)
    row = ApiToken.objects.get(pk=body["id"])
    assert body["token"].startswith(f"tb_{row.prefix}.")
    assert row.digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in str(row.__dict__)
    api_client.force_authenticate(breast_surgeon)
    listed = api_client.get(reverse("api-auth-tokens")).json()["results"]
    assert [item["id"] for item in listed] == [row.pk]
    assert "token" not in listed[0] and "digest" not in listed[0]


def test_a_token_authenticates_until_it_is_revoked(api_client, care_case, breast_surgeon):
    raw = _issue(api_client)["token"]
    client = token_client(raw)
    assert client.get(reverse("api-cases")).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    revoke = client.delete(reverse("api-auth-token-revoke", args=[token.pk]))
    assert revoke.status_code == 200 and revoke.json()["revoked_at"]
    assert client.get(reverse("api-cases")).status_code == 401


def test_a_forged_or_altered_token_is_401(api_client, breast_surgeon):
    raw = _issue(api_client)["token"]
    assert token_client(raw[:-1] + ("x" if raw[-1] != "x" else "y")).get(
        reverse("api-ping")).status_code == 401
    assert token_client("tb_nothing.here").get(reverse("api-ping")).status_code == 401
    assert token_client(raw).get(reverse("api-ping")).status_code == 200


def test_bad_credentials_are_a_400_and_issue_nothing(api_client, breast_surgeon):
    response = api_client.post(reverse("api-auth-token"),
                               {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(api_client, breast_surgeon, outsider):
    token_id = _issue(api_client)["id"]
    api_client.force_authenticate(outsider)
    assert api_client.delete(
        reverse("api-auth-token-revoke", args=[token_id])).status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None


def test_an_integration_client_reads_its_granted_teams_cases_and_writes_nothing(
        world, his, outsider):
    client = token_client(his.raw)
    rows = client.get(reverse("api-cases")).json()["results"]
    assert [row["id"] for row in rows] == [world.case.pk]
    assert client.get(reverse("api-case", args=[world.case.pk])).status_code == 200
    patch = client.patch(reverse("api-case", args=[world.case.pk]), {"kps": 70, "version": 1},
                         format="json")
    assert patch.status_code == 403
    flag = client.post(reverse("api-referrals"), {"case": world.case.pk,
                                                  "trigger_codes": ["new_back_pain"]},
                       format="json")
    assert flag.status_code == 403


def test_an_integration_client_without_a_grant_sees_nothing(world, his):
    his.user.integration_grants.all().delete()
    client = token_client(his.raw)
    assert client.get(reverse("api-cases")).json()["results"] == []
    assert client.get(reverse("api-case", args=[world.case.pk])).status_code == 404
    assert client.get(reverse("api-referral", args=[world.referral.pk])).status_code == 404


def test_an_integration_client_cannot_log_into_the_pages(client, his):
    # No usable password: the login form refuses it whatever is typed.
    assert not his.user.has_usable_password()
    client.post(reverse("login"), {"username": his.user.username, "password": ""})
    assert "_auth_user_id" not in client.session


def test_the_management_command_prints_a_working_token(breast_team, care_case):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_integration_client", "his-south", "--team", breast_team.name,
                 stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    rows = token_client(raw).get(reverse("api-cases")).json()["results"]
    assert [row["id"] for row in rows] == [care_case.pk]
