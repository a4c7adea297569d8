"""The state of the parts the service needs: database, broker, workers (GET /health/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .celery import app
from .models import WorkerHeartbeat

#: Checks shown on /health/ but not required for "ok", registered by the apps that own the part
#: (integrations registers its rate limiter's store: with it down, requests are let through).
_SHOWN_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {}


def register_shown_check(name: str, check: Callable[[], dict[str, Any]]) -> None:
    _SHOWN_CHECKS[name] = check


def shown_checks() -> dict[str, Callable[[], dict[str, Any]]]:
    return dict(_SHOWN_CHECKS)


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    transport = app.conf.broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": type(exc).__name__}
    return {"ok": True, "transport": transport}


def check_workers() -> dict[str, Any]:
    """Workers are up when one ran the beat-driven heartbeat recently (so beat is up too)."""
    stale_after = timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_AFTER)
    try:
        beats = list(WorkerHeartbeat.objects.order_by("-seen_at").values("hostname", "seen_at"))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    now = timezone.now()
    alive = [b["hostname"] for b in beats if now - b["seen_at"] <= stale_after]
    last = beats[0]["seen_at"].isoformat() if beats else None
    result: dict[str, Any] = {"ok": bool(alive), "alive": alive, "last_heartbeat": last}
    if not alive:
        result["error"] = (
            f"no worker heartbeat in the last {settings.WORKER_HEARTBEAT_STALE_AFTER} s "
            "(is a worker and celery beat running?)"
        )
    return result


def health_report() -> dict[str, Any]:
    checks = {"database": check_database(), "broker": check_broker()}
    checks["workers"] = (
        check_workers()
        if checks["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    status = "ok" if all(c["ok"] for c in checks.values()) else "down"
    for name, check in _SHOWN_CHECKS.items():  # shown, never part of the status
        checks[name] = check()
    return {"status": status, "checks": checks}
