"""A database that is down or restarting answers 503 with a message, never a 500.

While PostgreSQL restarts (a failover, an upgrade, a crash) every query fails with
``OperationalError`` or ``InterfaceError``. The transaction of the request is rolled back by the
database, so nothing is half-written; what is left is to tell the caller to come back:
an API client gets JSON ``{"detail": ...}``, a page a short HTML message, both with
``Retry-After``. Django closes the broken connection at the end of the request
(``CONN_HEALTH_CHECKS`` checks the next one), so the service recovers by itself once the
database is back.

A view's error reaches ``process_exception``. An error outside the view (the session saved in
``SessionMiddleware.process_response``) becomes Django's 500 response before this middleware
sees it: the ``got_request_exception`` signal marks such a request, and the 500 is replaced.
(Django's own session store would turn that save's error into a 400 "session deleted";
``tumorboard.sessions`` keeps it the database error it is.)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import SessionCacheUnavailable

logger = logging.getLogger(__name__)

#: The errors of a database that cannot be reached or has just dropped the connection, and of
#: the session cache that cannot forget a signed-in session (tumorboard.sessions).
UNAVAILABLE = (OperationalError, InterfaceError, SessionCacheUnavailable)
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable for a moment; nothing was saved. Try again in a few seconds."
_MARK = "_tumorboard_database_unavailable"


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON under /api/ (or when JSON is asked for), a short page otherwise."""
    response: HttpResponse
    if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Temporarily unavailable</title></head><body><h1>Temporarily unavailable"
            f"</h1><p>{MESSAGE}</p></body></html>",
            status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, UNAVAILABLE):
        setattr(request, _MARK, type(error).__name__)


got_request_exception.connect(_mark_request, dispatch_uid="tumorboard.dbguard")


class DatabaseUnavailableMiddleware:
    """503 + Retry-After for a database that is down (module docstring). Placed near the top
    of MIDDLEWARE so that the errors of the middleware below it are covered too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code == 500:
            logger.warning("database unavailable (%s): answered 503", error)
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            # The class only: the message can quote SQL parameters (patient data).
            logger.warning("database unavailable (%s): answered 503", type(exception).__name__)
            return unavailable_response(request)
        return None
