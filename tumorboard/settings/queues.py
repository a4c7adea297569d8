"""Celery on Redis (or a filesystem broker that needs no server), and the caches."""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

from .environment import VAR_DIR, _env_int, _env_url

# Celery: Redis in production, a filesystem broker that needs no server by default.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_DATA_DIR.mkdir(parents=True, exist_ok=True)  # beat's schedule file lives here on Redis too
if REDIS_URL:
    _env_url("REDIS_URL", REDIS_URL, {"redis", "rediss"})
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than any task; a dead worker's unacked tasks come back after it.
        "visibility_timeout": _env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=10),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Webhook deliveries wait on other hospitals' servers: they have a queue and worker of their own
# (deploy/systemd/tumorboard-webhooks.service), so that a slow receiver never delays an alert.
CELERY_WEBHOOK_QUEUE = os.environ.get("CELERY_WEBHOOK_QUEUE", "webhooks").strip() or "webhooks"
CELERY_TASK_ROUTES = {"integrations.tasks.deliver": {"queue": CELERY_WEBHOOK_QUEUE}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker is reported down when no heartbeat arrived within this many seconds.
WORKER_HEARTBEAT_INTERVAL = _env_int("WORKER_HEARTBEAT_INTERVAL", 30, minimum=1)
WORKER_HEARTBEAT_STALE_AFTER = _env_int("WORKER_HEARTBEAT_STALE_AFTER", 120, minimum=5)

# API rate limit per token (per user for a session), e.g. 1200/minute; "off" disables it.
# A 429 carries Retry-After. Counted in the "throttle" cache (Redis when REDIS_URL is set).
_throttle_rate = os.environ.get("API_THROTTLE_RATE", "1200/minute").strip()
if _throttle_rate.lower() not in {"off", "none", ""} and not re.fullmatch(
    r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _throttle_rate
):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE: expected <count>/<second|minute|hour|day> "
                               f"or off, got {_throttle_rate!r}")
API_THROTTLE_RATE: str | None = (
    None if _throttle_rate.lower() in {"off", "none", ""} else _throttle_rate
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        # Short socket timeouts: with Redis away the limiter fails open (integrations.throttling)
        # rather than holding every API request.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "tb",
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
              "LOCATION": "throttle"}
    ),
    # Sessions read without a database round trip (tumorboard.sessions): one cache shared by
    # every process, so never a per-process memory cache (a logout must reach every worker).
    "sessions": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "tb",
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    ),
}
