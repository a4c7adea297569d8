"""Tasks really travel through Redis to a separate worker process (CI: PostgreSQL + Redis)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ServiceProcess, service_env, wait_for
from tumorboard.models import TaskProbe, WorkerHeartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_task_sent_from_the_web_is_executed_by_the_worker_process(
    client: Client, admin_person, celery_worker_process: ServiceProcess
) -> None:
    client.force_login(admin_person)
    response = client.post(reverse("send-probe"))
    assert response.status_code == 302
    probe = TaskProbe.objects.get()

    def executed() -> TaskProbe | None:
        probe.refresh_from_db()
        return probe if probe.executed_at else None

    wait_for(executed, timeout=20)
    assert probe.worker == celery_worker_process.hostname  # type: ignore[attr-defined]


def test_beat_fires_the_periodic_heartbeat_and_health_turns_ok(
    client: Client, celery_worker_process: ServiceProcess, integration_services, test_queue,
    tmp_path,
) -> None:
    assert client.get(reverse("health")).status_code == 503  # no heartbeat yet
    beat = ServiceProcess(
        "beat",
        ["beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}"],
        service_env(integration_services, WORKER_HEARTBEAT_INTERVAL="1",
                    CELERY_TASK_DEFAULT_QUEUE=test_queue),
        tmp_path,
    ).start()
    try:
        wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=30, interval=0.5)
    finally:
        beat.stop()
    assert "Sending due task worker-heartbeat" in beat.log()
    response = client.get(reverse("health"))
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["transport"] == "redis"
