"""Webhooks: registered by a client, written to the outbox in the transaction of the change,
signed as Standard Webhooks (verified with the ``standardwebhooks`` package), retried with
backoff, logged without patient data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import standardwebhooks
from django.urls import reverse
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from referrals import services as referral_services
from tests.api.conftest import token_client
from tests.factories import add_lesion, create_case
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db

EVENTS = ["decision.finalized", "referral.state_changed"]


def _subscribe(raw_token: str, url: str, events=EVENTS) -> dict:
    response = token_client(raw_token).post(reverse("api-webhooks"),
                                            {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_registration_shows_the_secret_once_and_validates_input(his) -> None:
    created = _subscribe(his.raw, "https://his.example/hook")
    assert created["secret"].startswith("whsec_")
    standardwebhooks.Webhook(created["secret"])  # a secret the reference library accepts
    client = token_client(his.raw)
    shown = client.get(reverse("api-webhook", args=[created["id"]])).json()
    assert "secret" not in shown and shown["events"] == EVENTS
    bad = client.post(reverse("api-webhooks"), {"url": "ftp://x", "events": ["nope"]},
                      format="json")
    assert bad.status_code == 400 and {"url", "events"} <= set(bad.json())
    assert WebhookSubscription.objects.count() == 1


def test_a_referral_state_change_is_signed_retried_with_backoff_and_logged(
        his, loopback_allowed, breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
        caplog, django_capture_on_commit_callbacks) -> None:
    with Receiver([503, 200]) as receiver:
        created = _subscribe(his.raw, receiver.url, ["referral.state_changed"])
        case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            add_lesion(case, actor=breast_surgeon)  # raises and sends a referral
        assert callbacks, "the delivery is enqueued after commit"
        rows = list(WebhookDelivery.objects.order_by("pk"))
        assert [row.payload["data"]["to_status"] for row in rows] == ["raised", "sent"]
        row = rows[-1]
        caplog.set_level("INFO", logger="integrations.webhooks")

        assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending"  # 503
        row.refresh_from_db()
        assert row.attempts == 1 and row.status_codes == [503]
        wait = row.next_attempt_at - timezone.now()
        assert dt.timedelta(seconds=20) < wait <= webhooks.backoff(1)
        assert webhooks.delivery_attempt(delivery_id=row.pk) is None  # not due yet
        assert webhooks.delivery_attempt(delivery_id=row.pk,
                                         now=row.next_attempt_at) == "delivered"
        row.refresh_from_db()
        assert row.status == "delivered" and row.status_codes == [503, 200]
        assert webhooks.delivery_attempt(delivery_id=row.pk,
                                         now=timezone.now() + dt.timedelta(days=1)) is None

    assert len(receiver.received) == 2
    verifier = standardwebhooks.Webhook(created["secret"])
    other = standardwebhooks.Webhook(webhooks.new_secret())
    for request in receiver.received:
        assert verifier.verify(request["body"], request["headers"])["case"] == case.pk
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            other.verify(request["body"], request["headers"])
        payload = json.loads(request["body"])
        assert payload["data"]["referral"] and payload["case"] == case.pk
        text = request["body"].decode()
        for phi in (case.patient.family_name, case.patient.given_name, case.patient.mrn):
            assert phi not in text
    assert "webhook delivery" in caplog.text
    for phi in (case.patient.family_name, case.patient.mrn):
        assert phi not in caplog.text


def test_backoff_doubles_and_gives_up_after_the_last_attempt(settings, his,
                                                             loopback_allowed) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.backoff(30) == dt.timedelta(hours=6)
    with Receiver([500]) as receiver:
        sub = WebhookSubscription.objects.create(owner=his.user, url=receiver.url,
                                                 events=EVENTS, secret=webhooks.new_secret())
        row = WebhookDelivery.objects.create(subscription=sub, event=EVENTS[1],
                                             payload={"x": 1}, next_attempt_at=timezone.now())
        assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending"
        later = timezone.now() + dt.timedelta(hours=1)
        assert webhooks.delivery_attempt(delivery_id=row.pk, now=later) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 2 and row.next_attempt_at is None


def test_no_event_reaches_a_client_that_may_not_see_the_case(
        his, outsider, breast_surgeon, breast_team, spine_team, mdt_team) -> None:
    his.user.integration_grants.all().delete()
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                       events=EVENTS, secret=webhooks.new_secret())
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon)
    assert not WebhookDelivery.objects.exists()


def test_finalizing_a_meeting_sends_decision_finalized(world, his) -> None:
    rows = WebhookDelivery.objects.filter(event="decision.finalized")
    assert not rows.exists()  # no subscription when the world was built
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                       events=["decision.finalized"], secret=webhooks.new_secret())
    webhooks.meeting_decisions_finalized(meeting=world.meeting)
    row = rows.get()
    assert row.payload["data"]["decision"] == world.decision.pk
    assert row.payload["data"]["pathway"] == "cebrt"


def test_a_rollback_leaves_no_outbox_row(his, breast_surgeon, care_case) -> None:
    from django.db import transaction

    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                       events=EVENTS, secret=webhooks.new_secret())
    referral = care_case.referrals.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        referral_services.referral_cancel(referral=referral, actor=breast_surgeon, note="x")
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the change fails after the hook")
    assert not WebhookDelivery.objects.exists()


def test_a_decision_webhook_names_only_what_its_subscriber_can_read(world, his) -> None:
    """Issue 15: the event names a meeting and a decision; the subscriber reads both (an
    integration client granted the case's team sees the meetings of its cases)."""
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                       events=["decision.finalized"], secret=webhooks.new_secret())
    webhooks.meeting_decisions_finalized(meeting=world.meeting)
    row = WebhookDelivery.objects.get(event="decision.finalized")
    client = token_client(his.raw)
    meeting = client.get(reverse("api-meeting", args=[row.payload["data"]["meeting"]]))
    assert meeting.status_code == 200
    agenda = meeting.json()["agenda"]
    assert row.payload["data"]["decision"] in [item["decision"]["id"] for item in agenda
                                               if item["decision"]]
    # A grant withdrawn: the next event is not sent to it at all.
    his.user.integration_grants.all().delete()
    webhooks.meeting_decisions_finalized(meeting=world.meeting)
    assert WebhookDelivery.objects.filter(event="decision.finalized").count() == 1
