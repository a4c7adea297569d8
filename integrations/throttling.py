"""Rate limits per API token (per user for a browser session, per address when anonymous).

A refused request is a 429 with ``Retry-After``; the counters live in the ``throttle`` cache
(Redis when REDIS_URL is set, so every web process counts together).

When that store is down the limit fails open: the request goes through (the API keeps serving
while Redis restarts; a 500 on every call would be worse than an unlimited minute), the outage is
logged once, counted, and shown in ``/health/`` (``rate_limiter``). The store is not asked again
for ``STORE_RETRY_SECONDS``, so that requests do not each wait on a dead connection.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tumorboard.clientip import client_ip

from .models import ApiToken

log = logging.getLogger(__name__)

STORE_RETRY_SECONDS = 5.0


class _StoreState:
    """This process's view of the throttle store (read by /health/)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None  # time.time() of the first failure
        self.retry_at = 0.0  # monotonic: when to ask the store again
        self.let_through = 0  # requests not counted since the process started
        self.error = ""

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.let_through += 1
            self.retry_at = time.monotonic() + STORE_RETRY_SECONDS
            self.error = type(error).__name__
            if self.down_since is None:
                self.down_since = time.time()
                log.warning("rate limiter store unavailable (%s): API requests are let through "
                            "without a limit until it is back", self.error)

    def skipped(self) -> bool:
        """True when the store is known down and not due for another try (counts it)."""
        with self.lock:
            if self.down_since is not None and time.monotonic() < self.retry_at:
                self.let_through += 1
                return True
            return False

    def worked(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is not None:
                log.warning("rate limiter store back after %.0f s; %s requests were let through",
                            time.time() - self.down_since, self.let_through)
                self.down_since = None

    def report(self) -> dict[str, Any]:
        with self.lock:
            down = self.down_since is not None
            result: dict[str, Any] = {"ok": not down, "failing_open": down,
                                      "requests_let_through": self.let_through}
            if down:
                result["error"] = self.error
            return result


STATE = _StoreState()


def store_report() -> dict[str, Any]:
    """For /health/: whether this process counts requests, and how many it let through."""
    return STATE.report()


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str | None:
        # Read at each request (not at import), so that a test can change it.
        return settings.API_THROTTLE_RATE

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or STATE.skipped():
            return True
        try:
            allowed = super().allow_request(request, view)
        except Exception as error:  # any failure of the store: redis-py's, a socket's
            STATE.failed(error)
            return True
        STATE.worked()
        return allowed

    def get_ident(self, request: Request) -> str:
        # The trusted client address (X-Real-IP from nginx only), never X-Forwarded-For, which
        # the client writes: otherwise each request could claim a fresh address and budget.
        return client_ip(request._request) or "unknown"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return f"throttle-{self.scope}-{ident}"
