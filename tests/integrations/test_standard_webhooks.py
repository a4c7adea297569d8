"""Standard Webhooks (standardwebhooks.com; issue 20): every delivery is verified here with the
reference ``standardwebhooks`` package, never with the service's own code.

- ``webhook-id`` is the message's: the same on every retry; ``webhook-timestamp`` is the
  attempt's own, so a retry an hour later still passes the receiver's replay window;
- secrets are ``whsec_<base64>``; a rotation (``POST /webhooks/{id}/rotate-secret/``) answers the
  new secret once, and the old one keeps verifying for the configured overlap, then not;
- secrets made before the standard keep their key (data migration)."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
from pathlib import Path
from typing import Any

import pytest
import standardwebhooks
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.api.conftest import token_client
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db


def _verifies(secret: str, request: dict[str, Any]) -> bool:
    try:
        standardwebhooks.Webhook(secret).verify(request["body"], request["headers"])
    except standardwebhooks.WebhookVerificationError:
        return False
    return True


def _outbox_row(sub: WebhookSubscription) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=sub, event="referral.state_changed", next_attempt_at=timezone.now(),
        payload={"event": "referral.state_changed", "case": 1, "data": {"referral": 2}})


def _subscribe(his: Any, url: str) -> dict[str, Any]:
    answer = token_client(his.raw).post(reverse("api-webhooks"),
                                        {"url": url, "events": ["referral.state_changed"]},
                                        format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_a_retry_keeps_its_id_and_is_signed_afresh(his, loopback_allowed) -> None:
    with Receiver([503, 200]) as receiver:
        created = _subscribe(his, receiver.url)
        row = _outbox_row(WebhookSubscription.objects.get(pk=created["id"]))
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending"
            first = receiver.received[0]
            assert _verifies(created["secret"], first)
        row.refresh_from_db()
        later = row.next_attempt_at + dt.timedelta(hours=1)  # long past a 5-minute window
        with time_machine.travel(later, tick=False):
            # The first attempt's headers would be a stale replay by now...
            assert not _verifies(created["secret"], first)
            assert webhooks.delivery_attempt(delivery_id=row.pk) == "delivered"
            second = receiver.received[1]
            # ...the retry carries its own timestamp and signature.
            assert _verifies(created["secret"], second)
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["headers"]["webhook-timestamp"] != second["headers"]["webhook-timestamp"]
    assert int(second["headers"]["webhook-timestamp"]) == int(later.timestamp())
    assert first["body"] == second["body"]
    tampered = {**second, "body": second["body"].replace(b'"case":1', b'"case":9')}
    with time_machine.travel(later, tick=False):
        assert not _verifies(created["secret"], tampered)


def test_a_rotation_answers_the_new_secret_once_and_keeps_the_old_one_for_the_overlap(
        his, loopback_allowed, settings) -> None:
    settings.WEBHOOK_SECRET_OVERLAP_SECONDS = 3600
    with Receiver([200]) as receiver:
        created = _subscribe(his, receiver.url)
        old = created["secret"]
        client = token_client(his.raw)
        url = reverse("api-webhook-rotate-secret", args=[created["id"]])
        rotated = client.post(url)
        assert rotated.status_code == 200, rotated.content
        new = rotated.json()["secret"]
        assert new.startswith("whsec_") and new != old
        expires = dt.datetime.fromisoformat(rotated.json()["previous_secret_expires_at"])
        assert dt.timedelta(minutes=59) < expires - timezone.now() <= dt.timedelta(hours=1)
        shown = client.get(reverse("api-webhook", args=[created["id"]])).json()
        assert new not in str(shown) and old not in str(shown)

        sub = WebhookSubscription.objects.get(pk=created["id"])
        webhooks.delivery_attempt(delivery_id=_outbox_row(sub).pk)
        during = receiver.received[-1]
        assert len(during["headers"]["webhook-signature"].split(" ")) == 2
        assert _verifies(new, during) and _verifies(old, during)

        after = expires + dt.timedelta(seconds=1)
        with time_machine.travel(after, tick=False):
            webhooks.delivery_attempt(delivery_id=_outbox_row(sub).pk)
            late = receiver.received[-1]
            assert len(late["headers"]["webhook-signature"].split(" ")) == 1
            assert _verifies(new, late) and not _verifies(old, late)


def test_only_the_owner_rotates_and_a_clinician_gets_nothing(his, breast_surgeon) -> None:
    from integrations.services import integration_client_save
    from integrations.tokens import token_create

    sub = WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                             events=["referral.state_changed"],
                                             secret=webhooks.new_secret())
    other = integration_client_save(username="his-south", teams=[])
    _, raw = token_create(user=other, name="south")
    url = reverse("api-webhook-rotate-secret", args=[sub.pk])
    assert token_client(raw).post(url).status_code == 404
    assert WebhookSubscription.objects.get(pk=sub.pk).secret == sub.secret
    assert token_client(his.raw).post(
        reverse("api-webhook-rotate-secret", args=[sub.pk + 1000])).status_code == 404


def test_a_secret_made_before_the_standard_keeps_its_key(his, loopback_allowed) -> None:
    """The data migration: the old key (the hex text's bytes) is kept, now as ``whsec_``."""
    migration = importlib.import_module("integrations.migrations.0004_standard_webhooks")
    hex_secret = "ab" * 32
    with Receiver([200]) as receiver:
        sub = WebhookSubscription.objects.create(owner=his.user, url=receiver.url,
                                                 events=["referral.state_changed"],
                                                 secret=hex_secret)
        migration.to_standard(apps, None)
        sub.refresh_from_db()
        assert sub.secret == "whsec_" + base64.b64encode(hex_secret.encode()).decode()
        webhooks.delivery_attempt(delivery_id=_outbox_row(sub).pk)
    # What the README tells the holder of a hex secret to do, verified by the reference library.
    derived = "whsec_" + base64.b64encode(hex_secret.encode()).decode()
    assert _verifies(derived, receiver.received[0])
    migration.from_standard(apps, None)
    sub.refresh_from_db()
    assert sub.secret == hex_secret


def readme_block(marker: str) -> str:
    """The fenced code block that follows ``<!-- marker -->`` in the README, as printed."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    after = text.split(f"<!-- {marker} -->\n", 1)[1]
    assert after.startswith("```")
    return after.split("\n", 1)[1].split("\n```", 1)[0]


def test_the_readme_receiver_verifies_a_real_delivery(his, loopback_allowed,
                                                     monkeypatch) -> None:
    with Receiver([200]) as receiver:
        created = _subscribe(his, receiver.url)
        webhooks.delivery_attempt(delivery_id=_outbox_row(
            WebhookSubscription.objects.get(pk=created["id"])).pk)
    request = receiver.received[0]
    monkeypatch.setenv("TUMORBOARD_WEBHOOK_SECRET", created["secret"])
    namespace: dict[str, Any] = {}
    exec(compile(readme_block("webhook-receiver"), "README.md", "exec"), namespace)  # noqa: S102
    event = namespace["receive"](request["body"], request["headers"])
    assert event["event"] == "referral.state_changed" and event["data"] == {"referral": 2}
    forged = {**request["headers"], "webhook-id": "msg_999999"}
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        namespace["receive"](request["body"], forged)
