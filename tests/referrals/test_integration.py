"""The referral pathway with real services (CI: PostgreSQL + Redis + worker processes).

Tasks travel through Redis to separate worker processes, as in production: a lesion raises a
referral whose alert the worker delivers; a delivery task sent twice sends one e-mail; a worker
killed in the middle of a send loses nothing and duplicates nothing.
"""

from __future__ import annotations

import re
import signal
import uuid
from pathlib import Path

import pytest

from referrals.models import Alert, Referral
from referrals.tasks import deliver_alert
from tests.conftest import ServiceProcess, service_env, wait_for
from tests.factories import add_lesion, create_case

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _sent(alert_id: int) -> Alert | None:
    alert = Alert.objects.get(pk=alert_id)
    return alert if alert.sent_at else None


def test_a_lesion_with_sins_7_raises_a_referral_whose_alert_the_worker_delivers(
    breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
    celery_worker_process: ServiceProcess,
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon)  # commits: the delivery is enqueued on commit
    referral = Referral.objects.get(case=case)
    assert referral.status == "sent"
    alert = Alert.objects.get(referral=referral, recipient=neurosurgeon, kind="new_referral")
    try:
        wait_for(lambda: _sent(alert.pk), timeout=30, interval=0.2)
    except pytest.fail.Exception:
        pytest.fail(f"alert not delivered:\n{celery_worker_process.log()[-3000:]}",
                    pytrace=False)
    assert celery_worker_process.log().count(f"<alert-{alert.pk}@tumorboard>") == 1


def test_a_delivery_task_sent_twice_through_the_broker_delivers_once(
    referral_without_enqueue, celery_worker_process: ServiceProcess,
) -> None:
    alert = referral_without_enqueue
    first, second = deliver_alert.delay(alert.pk), deliver_alert.delay(alert.pk)
    wait_for(lambda: _sent(alert.pk), timeout=30, interval=0.2)

    def both_done() -> bool:
        log = celery_worker_process.log()
        return all(re.search(rf"{task.id}\]? succeeded", log) for task in (first, second))

    try:
        wait_for(both_done, timeout=30, interval=0.2)
    except pytest.fail.Exception:
        pytest.fail(f"tasks did not finish:\n{celery_worker_process.log()[-3000:]}",
                    pytrace=False)
    assert celery_worker_process.log().count(f"<alert-{alert.pk}@tumorboard>") == 1
    alert.refresh_from_db()
    # 2 when both ran concurrently (the second skipped the locked row), 1 when the second
    # came after the commit and found it sent: one e-mail either way.
    assert alert.attempts in (1, 2)


@pytest.fixture
def referral_without_enqueue(breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
                             monkeypatch) -> Alert:
    """A committed referral and its alert, with no delivery enqueued: the test sends it."""
    monkeypatch.setattr("referrals.services.alerts._enqueue", lambda ids: None)
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon)
    monkeypatch.undo()
    return Alert.objects.get(recipient=neurosurgeon, kind="new_referral")


def _worker(name: str, queue: str, services: dict[str, str], tmp_path: Path,
            **env: str) -> ServiceProcess:
    hostname = f"{name}-{uuid.uuid4().hex[:6]}@localhost"
    worker = ServiceProcess(
        name,
        # solo pool: the task runs in the worker process itself, so SIGKILL kills the task.
        ["worker", "-Q", queue, "--pool=solo", "--loglevel=INFO", f"--hostname={hostname}",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        service_env(services, CELERY_VISIBILITY_TIMEOUT="10", EMAIL_URL="filemail://",
                    TUMORBOARD_VAR_DIR=str(tmp_path), **env),
        tmp_path,
    ).start()
    worker.hostname = hostname  # type: ignore[attr-defined]
    return worker


def _emails_for(alert: Alert, tmp_path: Path) -> int:
    folder = tmp_path / "mail"
    if not folder.exists():
        return 0
    marker = f"<alert-{alert.pk}@tumorboard>"
    return sum(path.read_text(errors="replace").count(marker) for path in folder.iterdir())


def test_a_worker_killed_mid_send_loses_and_duplicates_nothing(
    referral_without_enqueue, integration_services, test_queue, tmp_path,
) -> None:
    alert = referral_without_enqueue
    queue = f"{test_queue}-kill-{uuid.uuid4().hex[:6]}"
    # Its e-mail backend pauses 30 s inside the send, the row locked (tests.reliability.slowmail).
    sending = tmp_path / "sending"
    slow = _worker("slow", queue, integration_services, tmp_path,
                   DJANGO_SETTINGS_MODULE="tests.reliability.slowmail_settings",
                   SLOW_MAIL_SECONDS="30", SLOW_MAIL_SIGNAL_DIR=str(sending))
    fresh: ServiceProcess | None = None
    try:
        deliver_alert.apply_async(args=[alert.pk], queue=queue)

        def claimed() -> bool:
            alert.refresh_from_db()
            return alert.attempts >= 1

        try:
            wait_for(claimed, timeout=30, interval=0.2)
        except pytest.fail.Exception:
            pytest.fail(f"the slow worker never started the task:\n{slow.log()[-3000:]}",
                        pytrace=False)
        try:
            wait_for(lambda: sending.exists() and any(sending.iterdir()), timeout=30,
                     interval=0.1)
        except pytest.fail.Exception:
            pytest.fail(f"the slow worker never began the send:\n{slow.log()[-3000:]}",
                        pytrace=False)
        assert _sent(alert.pk) is None  # inside the send's pause, the row locked
        slow.stop(signal.SIGKILL)
        assert _sent(alert.pk) is None and _emails_for(alert, tmp_path) == 0

        # A new worker on the same queue: Redis restores the unacked task after the
        # visibility timeout (10 s) and the new worker delivers it.
        fresh = _worker("fresh", queue, integration_services, tmp_path)
        try:
            wait_for(lambda: _sent(alert.pk), timeout=45, interval=0.5)
        except pytest.fail.Exception:
            pytest.fail(f"not redelivered:\n--- slow\n{slow.log()[-2000:]}\n--- fresh\n"
                        f"{fresh.log()[-3000:]}", pytrace=False)
        assert _emails_for(alert, tmp_path) == 1
        alert.refresh_from_db()
        assert alert.attempts == 2  # the killed run and the redelivered one
    finally:
        slow.stop(signal.SIGKILL)
        if fresh is not None:
            fresh.stop()
