"""Broker outage (issue 11): Redis stopped for 30 seconds while referrals are being raised.

A throwaway ``redis-server`` (no persistence, a spare loopback port) is the broker of a real
worker, a real beat and a process raising a referral every half second. Redis is killed: the
queued deliveries are lost with it, and the referrals committed meanwhile cannot publish theirs.
After 30 s it is started again, empty. The outbox (beat's ``resend_unsent_alerts``: every alert
still unsent is enqueued again) must deliver every alert of every committed referral, and the
exactly-once delivery of referrals.alerts must keep the re-enqueued ones from being sent twice.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from referrals.models import Alert, Referral
from tests.conftest import service_env, wait_for
from tests.reliability.conftest import (
    Proc,
    RedisServer,
    Supervisor,
    celery,
    emails_by_alert,
    record_figures,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = int(os.environ.get("RELIABILITY_BROKER_OUTAGE_SECONDS", "30"))
BEFORE_SECONDS = 8
AFTER_SECONDS = 10


def test_a_redis_outage_loses_no_alert_and_sends_none_twice(
    breast_surgeon, neurosurgeon, coordinator, breast_team, spine_team, mdt_team,
    integration_services, throwaway_redis: RedisServer, tmp_path: Path,
) -> None:
    env = service_env(
        integration_services, REDIS_URL=throwaway_redis.url, EMAIL_URL="filemail://",
        TUMORBOARD_VAR_DIR=str(tmp_path), CELERY_VISIBILITY_TIMEOUT="10",
        RELIABILITY_BEAT_INTERVAL="2", ALERT_OUTBOX_RESEND_AFTER_SECONDS="5",
    )
    # Supervised as in production (deploy/systemd: Restart=on-failure): kombu 5.7's Redis
    # transport can stop the worker with an "unrecoverable" AttributeError when the broker
    # drops while a message is unacknowledged (restoring it needs the dead connection).
    worker = celery("worker", [
        "worker", "--pool=threads", "--concurrency=4", "--loglevel=INFO",
        f"--hostname=outage-{uuid.uuid4().hex[:6]}@localhost", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ], env, tmp_path).start()
    beat = celery("beat", ["beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat'}"], env,
                  tmp_path, app="tests.reliability.fastbeat").start()
    supervisors = [Supervisor(worker).start(), Supervisor(beat).start()]
    load = Proc("load", [sys.executable, "-m", "tests.reliability.outage_load", "--seconds",
                         str(BEFORE_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS)], env,
                tmp_path).start()
    started = time.monotonic()
    try:
        time.sleep(BEFORE_SECONDS)
        before = Referral.objects.count()
        throwaway_redis.stop()
        down_at = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        during = Referral.objects.count() - before
        throwaway_redis.start()
        outage = round(time.monotonic() - down_at, 1)
        back_at = time.monotonic()
        assert load.proc is not None
        load.proc.wait(timeout=AFTER_SECONDS + 120)
        assert load.proc.returncode == 0, load.log()

        referrals = list(Referral.objects.values_list("pk", flat=True))
        alerts = list(Alert.objects.filter(referral_id__in=referrals)
                      .values_list("pk", flat=True))
        try:
            wait_for(lambda: not Alert.objects.filter(pk__in=alerts, sent_at=None).exists(),
                     timeout=180, interval=0.5)
        except pytest.fail.Exception:
            unsent = Alert.objects.filter(pk__in=alerts, sent_at=None).count()
            pytest.fail(f"{unsent} alerts never sent:\n--- worker\n{worker.log()}\n--- beat\n"
                        f"{beat.log()}", pytrace=False)
        drained = round(time.monotonic() - back_at, 1)
        # The outbox may still have enqueued copies of the last alerts: let them run out.
        time.sleep(8)
    finally:
        load.kill()
        for supervisor in supervisors:
            supervisor.stop()

    emails = emails_by_alert(tmp_path / "mail")
    lost = [pk for pk in alerts if emails[pk] == 0]
    duplicated = {pk: emails[pk] for pk in alerts if emails[pk] > 1}
    record_figures(
        "broker-outage", referrals=len(referrals), raised_during_outage=during,
        alerts=len(alerts), emails=sum(emails[pk] for pk in alerts), lost=len(lost),
        duplicated=len(duplicated), outage_seconds=outage,
        all_sent_seconds_after_restart=drained,
        supervisor_restarts={"worker": supervisors[0].restarts,
                             "beat": supervisors[1].restarts},
        run_seconds=round(time.monotonic() - started, 1),
    )
    assert during > 0, "no referral was raised while Redis was down"
    assert not lost, f"alerts never e-mailed: {lost[:20]}"
    assert not duplicated, f"alerts e-mailed more than once: {duplicated}"
