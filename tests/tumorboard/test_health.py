import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tumorboard.celery import app
from tumorboard.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_database_broker_and_a_worker_are_up(client: Client) -> None:
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now())
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["workers"]["alive"] == ["worker@a"]


def test_health_is_503_when_no_worker_heartbeat_is_recent(client: Client, settings) -> None:
    old = timezone.now() - dt.timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_AFTER + 1)
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=old)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert workers["ok"] is False
    assert "no worker heartbeat" in workers["error"]


def test_health_is_503_when_the_broker_is_unreachable(client: Client, monkeypatch) -> None:
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now())
    # A real connection attempt to a closed port, not a mock.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker == {"ok": False, "transport": "redis", "error": broker["error"]}


def test_health_needs_no_login_and_is_not_cached(client: Client) -> None:
    response = client.get(reverse("health"))
    assert response.status_code in (200, 503)
    assert "no-cache" in response["Cache-Control"]
