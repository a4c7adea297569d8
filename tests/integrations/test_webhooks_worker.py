"""Webhooks through the real queue: Redis, a Celery worker process, PostgreSQL."""

from __future__ import annotations

import pytest
import standardwebhooks

from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.tasks import deliver_due
from tests.conftest import ServiceProcess, wait_for
from tests.factories import add_lesion, create_case
from tests.integrations.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _delivered(pks: list[int]) -> bool:
    return WebhookDelivery.objects.filter(pk__in=pks, status="delivered").count() == len(pks)


def test_the_worker_delivers_after_commit_and_the_beat_scan_sends_what_was_never_enqueued(
        his, breast_surgeon, breast_team, spine_team, mdt_team, monkeypatch, loopback_allowed,
        celery_worker_process: ServiceProcess) -> None:
    with Receiver([200]) as receiver:
        sub = WebhookSubscription.objects.create(owner=his.user, url=receiver.url,
                                                 events=["referral.state_changed"],
                                                 secret=webhooks.new_secret())
        case = create_case(actor=breast_surgeon, breast_team=breast_team,
                           spine_team=spine_team, mdt_team=mdt_team)
        add_lesion(case, actor=breast_surgeon)  # commits; on_commit enqueues to Redis
        pks = list(WebhookDelivery.objects.values_list("pk", flat=True))
        assert len(pks) == 2
        try:
            wait_for(lambda: _delivered(pks), timeout=30, interval=0.2)
        except pytest.fail.Exception:
            pytest.fail(f"not delivered:\n{celery_worker_process.log()[-3000:]}", pytrace=False)

        # The broker lost the task (or was down): the row waits in the outbox for beat.
        monkeypatch.setattr(webhooks, "_enqueue", lambda ids: None)
        referral = case.referrals.get()
        from referrals import services

        services.referral_cancel(referral=referral, actor=breast_surgeon, note="duplicate")
        lost = WebhookDelivery.objects.exclude(pk__in=pks).get()
        assert lost.status == "pending"
        assert deliver_due() >= 1  # what beat runs: enqueues every due row
        wait_for(lambda: _delivered([lost.pk]), timeout=30, interval=0.2)
    bodies = [request["body"] for request in receiver.received]
    assert len(bodies) == 3, "each delivery sent once"
    verifier = standardwebhooks.Webhook(sub.secret)
    for request in receiver.received:
        assert verifier.verify(request["body"], request["headers"])["case"] == case.pk
