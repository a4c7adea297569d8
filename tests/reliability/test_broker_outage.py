"""Broker outage (issue 11): Redis stopped for 30 seconds while referrals are being raised.

A throwaway ``redis-server`` (no persistence, a spare loopback port) is the broker of a real
worker, a real beat and a process raising a referral every half second. Redis is killed once
alerts are flowing: the queued deliveries are lost with it, and the referrals committed meanwhile
cannot publish theirs. After 30 s (and at least three referrals committed meanwhile) it is
started again, empty. The outbox (beat's ``resend_unsent_alerts``: every alert
still unsent is enqueued again) must deliver every alert of every committed referral, and the
exactly-once delivery of referrals.alerts must keep the re-enqueued ones from being sent twice.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable
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
# Each phase waits for what it needs, within a deadline: referrals raised and e-mailed before the
# outage, referrals committed while Redis is down (for at least OUTAGE_SECONDS), referrals raised
# after its restart.
PHASE_REFERRALS = 3
PHASE_DEADLINE = 120


def _broker_idle(url: str) -> bool:
    """Nothing queued and nothing delivered but unacknowledged: every copy ran to its end."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    except redis.RedisError:
        return False


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
    stop_load = tmp_path / "stop-load"
    load = Proc("load", [sys.executable, "-m", "tests.reliability.outage_load", "--seconds",
                         str(OUTAGE_SECONDS + 3 * PHASE_DEADLINE), "--stop-file",
                         str(stop_load)], env, tmp_path).start()
    started = time.monotonic()

    def phase(name: str, condition: Callable[[], bool], timeout: float) -> None:
        try:
            wait_for(condition, timeout=timeout, interval=0.2)
        except pytest.fail.Exception:
            pytest.fail(f"{name}:\n--- load\n{load.log()[-2000:]}\n--- worker\n"
                        f"{worker.log()[-3000:]}", pytrace=False)

    try:
        phase("no alert e-mailed before the outage",
              lambda: Alert.objects.exclude(sent_at=None).count() >= PHASE_REFERRALS,
              PHASE_DEADLINE)
        before = Referral.objects.count()
        throwaway_redis.stop()
        down_at = time.monotonic()
        phase("too few referrals committed while Redis was down",
              lambda: Referral.objects.count() - before >= PHASE_REFERRALS
              and time.monotonic() - down_at >= OUTAGE_SECONDS,
              OUTAGE_SECONDS + PHASE_DEADLINE)
        during = Referral.objects.count() - before
        throwaway_redis.start()
        outage = round(time.monotonic() - down_at, 1)
        back_at = time.monotonic()
        after = Referral.objects.count()
        phase("no referral raised after the restart",
              lambda: Referral.objects.count() - after >= PHASE_REFERRALS, PHASE_DEADLINE)
        stop_load.touch()
        assert load.proc is not None
        load.proc.wait(timeout=60)
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
        # The outbox may still have enqueued copies of the last alerts (it enqueues no more once
        # all are sent): every copy consumed and acknowledged, none can send a second e-mail.
        phase("copies of the alerts still queued or unacknowledged",
              lambda: _broker_idle(throwaway_redis.url), PHASE_DEADLINE)
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
