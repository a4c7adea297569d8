"""Worker death (issue 11): 500 alerts in flight, the worker killed with SIGKILL five times and
restarted; every alert is e-mailed exactly once.

The worker is a real ``celery worker`` process on Redis and the test database, sixteen tasks at a
time. Each kill takes the whole process (and its open transactions) down at once; acks_late
leaves the killed tasks unacknowledged in Redis, which gives them back after the visibility
timeout (10 s here) to the restarted worker; the row lock of referrals.alerts was released by
the database the moment the connection dropped.

The beat runs too, as in production: Redis's transport has its own small window (a message
popped from the queue but not yet recorded as unacknowledged) in which a SIGKILL loses the
message; the outbox scan (``resend_unsent_alerts``) enqueues such an alert again.

Each kill lands while the tasks in flight hold their row lock before the message is handed
over (the test e-mail backend, tests.reliability.slowmail, pauses one second inside the send,
which makes that window wide): the window between the mail server accepting a message and the
commit of ``sent_at`` (milliseconds) is the documented at-least-once limit of
referrals.alerts, and is not what this test aims at.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from referrals.models import Alert, AlertKind, Referral
from referrals.tasks import deliver_alert
from tests.conftest import service_env, wait_for
from tests.factories import add_lesion, create_case
from tests.reliability.conftest import Proc, celery, emails_by_alert, record_figures

pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]

ALERTS = int(os.environ.get("RELIABILITY_WORKER_ALERTS", "500"))
KILLS = 5
CONCURRENCY = 16
SEND_DELAY = 1  # seconds (SLOW_MAIL_SECONDS of tests.reliability.slowmail)
MARGIN = 0.25  # a kill waits until no task in flight is this close to the end of its pause


def _alerts(breast_surgeon, neurosurgeon, teams, monkeypatch) -> list[int]:
    """ALERTS committed, unsent alert rows on one referral; none enqueued (the test does)."""
    monkeypatch.setattr("referrals.services.alerts._enqueue", lambda ids: None)
    case = create_case(actor=breast_surgeon, **teams)
    add_lesion(case, actor=breast_surgeon)
    monkeypatch.undo()
    referral = Referral.objects.get(case=case)
    Alert.objects.filter(referral=referral).delete()
    Alert.objects.bulk_create(
        Alert(referral=referral, recipient=neurosurgeon, kind=AlertKind.REFERRAL_UPDATED,
              step=1000 + i) for i in range(ALERTS))
    return list(Alert.objects.filter(referral=referral).order_by("pk")
                .values_list("pk", flat=True))


def _safe_to_kill(ids: list[int], since) -> bool:
    """No task claimed after the last kill is near the end of its pause (the send)."""
    now = timezone.now()
    near_send = Alert.objects.filter(
        pk__in=ids, sent_at=None, claimed_at__gt=since,
        claimed_at__lte=now - timedelta(seconds=SEND_DELAY - MARGIN)).exists()
    return not near_send


def _broker_idle(queue: str) -> bool:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    return client.llen(queue) == 0 and client.hlen("unacked") == 0


def test_five_sigkills_of_the_worker_lose_and_duplicate_no_alert(
    breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team, integration_services,
    test_queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    teams = {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}
    ids = _alerts(breast_surgeon, neurosurgeon, teams, monkeypatch)
    queue = f"{test_queue}-death-{uuid.uuid4().hex[:6]}"
    env = service_env(integration_services, CELERY_VISIBILITY_TIMEOUT="10",
                      EMAIL_URL="filemail://", TUMORBOARD_VAR_DIR=str(tmp_path),
                      DJANGO_SETTINGS_MODULE="tests.reliability.slowmail_settings",
                      SLOW_MAIL_SECONDS=str(SEND_DELAY), CELERY_TASK_DEFAULT_QUEUE=queue,
                      RELIABILITY_BEAT_INTERVAL="5", ALERT_OUTBOX_RESEND_AFTER_SECONDS="60")
    beat = celery("beat", ["beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat'}"], env,
                  tmp_path, app="tests.reliability.fastbeat")

    def worker(n: int) -> Proc:
        return celery(f"worker-{n}", [
            "worker", "-Q", queue, "--pool=threads", f"--concurrency={CONCURRENCY}",
            "--loglevel=INFO", f"--hostname=death{n}-{uuid.uuid4().hex[:6]}@localhost",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ], env, tmp_path).start()

    started = time.monotonic()
    for pk in ids:
        deliver_alert.apply_async(args=[pk], queue=queue)
    current = worker(0)
    beat.start()
    kills: list[dict[str, float]] = []
    since = timezone.now() - timedelta(days=1)
    try:
        # Kill at 10%, 25%, 40%, 55% and 70% of the alerts sent.
        for n, share in enumerate((0.10, 0.25, 0.40, 0.55, 0.70), start=1):
            target = int(ALERTS * share)
            try:
                wait_for(lambda t=target: Alert.objects.filter(pk__in=ids).exclude(
                    sent_at=None).count() >= t, timeout=180, interval=0.2)
                wait_for(lambda s=since: _safe_to_kill(ids, s), timeout=30, interval=0.02)
            except pytest.fail.Exception:
                pytest.fail(f"no progress before kill {n}:\n{current.log()}", pytrace=False)
            in_flight = Alert.objects.filter(pk__in=ids, sent_at=None,
                                             claimed_at__gt=since).count()
            current.kill(signal.SIGKILL)
            since = timezone.now()
            kills.append({"at_sent": target, "in_flight": in_flight,
                          "seconds": round(time.monotonic() - started, 1)})
            current = worker(n)
        try:
            wait_for(lambda: not Alert.objects.filter(pk__in=ids, sent_at=None).exists(),
                     timeout=300, interval=0.5)
            all_sent = round(time.monotonic() - started, 1)
            beat.stop()
            # Every message (the restored ones included) consumed and acknowledged: no task
            # is left that could still send a second e-mail.
            wait_for(lambda: _broker_idle(queue), timeout=120, interval=0.5)
        except pytest.fail.Exception:
            unsent = Alert.objects.filter(pk__in=ids, sent_at=None).count()
            pytest.fail(f"{unsent} alerts unsent after the kills:\n{current.log()}",
                        pytrace=False)
    finally:
        beat.stop()
        current.kill(signal.SIGKILL)

    emails = emails_by_alert(tmp_path / "mail")
    lost = [pk for pk in ids if emails[pk] == 0]
    duplicated = {pk: emails[pk] for pk in ids if emails[pk] > 1}
    # What the outbox enqueued again (the return value of each scan, in the workers' logs).
    resent = sum(int(n) for path in tmp_path.glob("worker-*.log") for n in re.findall(
        r"resend_unsent_alerts\[[^]]+\] succeeded in [0-9.]+s: (\d+)",
        path.read_text(errors="replace")))
    attempts = sum(Alert.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    record_figures(
        "worker-death", alerts=ALERTS, kills=len(kills), kill_points=kills,
        concurrency=CONCURRENCY, emails=sum(emails[pk] for pk in ids), lost=len(lost),
        duplicated=len(duplicated), delivery_attempts=attempts, all_sent_seconds=all_sent,
        outbox_reenqueued=resent,
        run_seconds=round(time.monotonic() - started, 1),
    )
    assert len(kills) == KILLS
    assert sum(k["in_flight"] for k in kills) > 0, "no kill hit a task in flight"
    assert not lost, f"alerts never e-mailed: {lost[:20]}"
    assert not duplicated, f"alerts e-mailed more than once: {duplicated}"
