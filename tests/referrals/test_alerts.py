"""Alerts: delivered exactly once, re-enqueued by the outbox, escalated on the clock."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from referrals import alerts, services
from referrals.models import Alert, ReferralEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_alert_is_sent_once_when_its_task_runs_twice(referral, dave) -> None:
    alert = Alert.objects.get(referral=referral, recipient=dave)
    assert alerts.alert_deliver(alert_id=alert.pk) is True
    assert alerts.alert_deliver(alert_id=alert.pk) is False
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.sent_at is not None and alert.attempts == 1


def test_the_alert_email_carries_no_patient_identifier(referral, dave) -> None:
    alert = Alert.objects.get(referral=referral, recipient=dave)
    alerts.alert_deliver(alert_id=alert.pk)
    message = mail.outbox[0]
    patient = referral.case.patient
    text = message.subject + message.body
    for secret in (patient.mrn, patient.family_name, patient.given_name):
        assert secret not in text
    assert f"/referrals/{referral.pk}/" in message.body
    assert message.extra_headers["Message-ID"] == f"<alert-{alert.pk}@tumorboard>"


def test_a_failed_send_leaves_the_alert_unsent_for_a_retry(referral, dave, monkeypatch) -> None:
    alert = Alert.objects.get(referral=referral, recipient=dave)

    def broken(self, fail_silently=False):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(OSError):
        alerts.alert_deliver(alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.sent_at is None and alert.attempts == 1
    monkeypatch.undo()
    assert alerts.alert_deliver(alert_id=alert.pk) is True


@pytest.fixture
def no_enqueue(monkeypatch) -> None:
    """Committed alerts stay in the outbox: the test delivers them itself."""
    monkeypatch.setattr("referrals.services.alerts._enqueue", lambda ids: None)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_send_one_email(no_enqueue, referral, dave, settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    # A send that pauses 1 s, its row locked: both runs overlap inside it.
    settings.EMAIL_BACKEND = "tests.reliability.slowmail.SlowLocmemBackend"
    alert = Alert.objects.get(referral=referral, recipient=dave)
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(alerts.alert_deliver(alert_id=alert.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.sent_at is not None


def test_the_outbox_re_enqueues_only_old_unsent_alerts(referral, dave, monkeypatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr("referrals.tasks.deliver_alert.delay", sent.append)
    alert = Alert.objects.get(referral=referral, recipient=dave)
    assert services.resend_unsent_alerts() == 0  # younger than a minute
    later = timezone.now() + dt.timedelta(seconds=61)
    assert services.resend_unsent_alerts(now=later) == 1
    assert sent == [alert.pk]
    alerts.alert_deliver(alert_id=alert.pk)
    assert services.resend_unsent_alerts(now=later) == 0


def test_an_alert_created_while_the_broker_is_down_is_delivered_by_the_outbox(
    care_case, referral, dave, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def down(alert_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr("referrals.tasks.deliver_alert.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_acknowledge(referral=referral, actor=dave)
        services.referral_request_info(referral=referral, actor=dave, question="ECOG?")
    alert = Alert.objects.get(kind="info_requested")
    assert alert.sent_at is None
    monkeypatch.setattr("referrals.tasks.deliver_alert.delay",
                        lambda alert_id: alerts.alert_deliver(alert_id=alert_id))
    services.resend_unsent_alerts(now=timezone.now() + dt.timedelta(minutes=2))
    alert.refresh_from_db()
    assert alert.sent_at is not None


@pytest.fixture
def red_referral(breast_surgeon, neurosurgeon, dave, erin, coordinator, breast_team,
                 spine_team, mdt_team):
    from referrals.models import Referral
    from tests.factories import add_lesion, create_case

    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team, frankel="C")  # a neurological deficit: red (§9)
    add_lesion(case, actor=breast_surgeon)
    referral = Referral.objects.get(case=case)
    assert referral.urgency == "red"
    return referral


def _recipients(referral, kind):
    return sorted(Alert.objects.filter(referral=referral, kind=kind)
                  .values_list("recipient__username", flat=True))


def test_an_unacknowledged_red_referral_escalates_step_by_step_and_never_twice(
    red_referral,
) -> None:
    start = red_referral.sent_at
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert services.escalate_due() == 0
    assert _recipients(red_referral, "new_referral") == ["dave"]
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert services.escalate_due() == 1
        assert services.escalate_due() == 0  # a second beat: nothing more
    assert _recipients(red_referral, "escalation_team") == ["erin"]
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert services.escalate_due() == 0  # step 2 waits its time
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert services.escalate_due() == 1
        assert services.escalate_due() == 0
    assert _recipients(red_referral, "escalation_lead") == ["bob", "carol"]
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        assert services.escalate_due() == 0
    steps = list(ReferralEvent.objects.filter(referral=red_referral, action="escalate")
                 .values_list("detail__level", flat=True))
    assert steps == [1, 2]
    red_referral.refresh_from_db()
    assert red_referral.escalation_level == 2


def test_an_acknowledged_referral_does_not_escalate(red_referral, dave) -> None:
    services.referral_acknowledge(referral=red_referral, actor=dave)
    with time_machine.travel(red_referral.sent_at + dt.timedelta(days=2), tick=False):
        assert services.escalate_due() == 0


def test_a_green_referral_escalates_after_24_hours_long_before_its_7_day_due_time(
    referral, erin
) -> None:
    assert referral.urgency == "green"
    assert referral.escalation_due_at == referral.sent_at + dt.timedelta(hours=24)
    with time_machine.travel(referral.escalation_due_at + dt.timedelta(seconds=1), tick=False):
        assert services.escalate_due() == 1
    assert _recipients(referral, "escalation_team") == ["erin"]


def test_the_recipient_acknowledges_an_alert_and_the_bell_counts_it(referral, dave) -> None:
    from referrals.selectors import alert_unread_count

    alert = Alert.objects.get(referral=referral, recipient=dave)
    assert alert_unread_count(user=dave) == 1
    services.alert_acknowledge(alert=alert, actor=dave)
    assert alert_unread_count(user=dave) == 0


