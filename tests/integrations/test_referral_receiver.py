"""The referral webhook goes through a signal (DESIGN.md, Layers): referrals sends
``referral_status_changed`` inside the transaction of the change, integrations receives it. The
receiver must be connected, and a transition must write exactly one outbox row per subscriber."""

from __future__ import annotations

import pytest
import time_machine

from integrations import receivers
from integrations.models import WebhookDelivery, WebhookSubscription
from referrals import services
from referrals.models import Referral
from referrals.signals import referral_status_changed

pytestmark = pytest.mark.django_db


def test_the_referral_webhook_receiver_is_connected_once() -> None:
    live = referral_status_changed._live_receivers(Referral)
    live = live[0] + live[1] if isinstance(live, tuple) else live  # sync and async receivers
    assert live.count(receivers.referral_status_webhook) == 1
    receivers.connect()  # ready() twice (a test runner, a reload): the dispatch_uid keeps one
    again = referral_status_changed._live_receivers(Referral)
    again = again[0] + again[1] if isinstance(again, tuple) else again
    assert again.count(receivers.referral_status_webhook) == 1


def test_a_transition_writes_one_outbox_row_per_subscriber(his, care_case, neurosurgeon,
                                                           breast_surgeon, outsider) -> None:
    for owner, url in [(his.user, "https://his.example/a"), (his.user, "https://his.example/b")]:
        WebhookSubscription.objects.create(owner=owner, url=url, secret="s" * 64,
                                           events=["referral.state_changed"])
    # A subscriber who may not see the case gets nothing; one not subscribed to the event neither.
    WebhookSubscription.objects.create(owner=outsider, url="https://other.example/c",
                                       secret="s" * 64, events=["referral.state_changed"])
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/d",
                                       secret="s" * 64, events=["decision.finalized"])
    referral = care_case.referrals.get()
    assert referral.status == "sent"
    # An event that keeps the status (an escalation step) writes no row.
    with time_machine.travel(referral.escalation_due_at, tick=False):
        assert services.escalate_due() == 1
    assert not WebhookDelivery.objects.exists()
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    rows = list(WebhookDelivery.objects.order_by("subscription__url"))
    seen = [(row.subscription.url, row.payload["data"]["from_status"],
             row.payload["data"]["to_status"], row.payload["data"]["referral"]) for row in rows]
    assert seen == [
        ("https://his.example/a", "sent", "acknowledged", referral.pk),
        ("https://his.example/b", "sent", "acknowledged", referral.pk),
    ]
    # The next change: one more row per subscriber.
    services.referral_cancel(referral=Referral.objects.get(pk=referral.pk), actor=breast_surgeon,
                             reason="seen elsewhere")
    assert WebhookDelivery.objects.count() == 4


def test_a_status_change_event_without_the_receiver_writes_no_row(his, care_case,
                                                                  neurosurgeon) -> None:
    """The proof that the row comes from the receiver: disconnected, nothing is written."""
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/a",
                                       secret="s" * 64, events=["referral.state_changed"])
    referral = care_case.referrals.get()
    assert referral_status_changed.disconnect(sender=Referral,
                                              dispatch_uid=receivers.REFERRAL_WEBHOOK_UID)
    try:
        services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    finally:
        receivers.connect()
    assert not WebhookDelivery.objects.exists()
