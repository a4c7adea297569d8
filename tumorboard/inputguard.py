"""Hostile input that reaches no view: NUL characters, and database range errors as 4xx.

* A NUL in a query string or a form field is refused with a 400 before any view runs (in the path:
  a 404, no URL has one): PostgreSQL
  stores no NUL in text, and psycopg raises on one (a 500 wherever a parameter met a query).
  JSON bodies are checked by tumorboard.apibody.
* A value the database refuses as out of its range (an id of 26 digits in an admin URL, a date
  past year 9999 after a time-zone shift) is the client's error: 404 for a read (like any unknown
  id), 400 for a write, logged without the value. Every other database error stays a 500.

Error bodies never quote the input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

# SQLSTATE of the values PostgreSQL refuses: numeric and datetime out of range, invalid
# datetime format, time zone displacement, untranslatable character, invalid encoding, invalid
# text representation.
CLIENT_DATA_ERRORS = {"22003", "22008", "22007", "22009", "22P05", "22021", "22P02"}


def _refuse(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    if request.path.startswith("/api/v1/fhir/"):  # FHIR clients read errors as OperationOutcome
        issue = {"severity": "error", "code": "not-found" if status == 404 else "invalid",
                 "diagnostics": detail}
        return JsonResponse({"resourceType": "OperationOutcome", "issue": [issue]},
                            status=status, content_type="application/fhir+json; charset=utf-8")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    template = "404.html" if status == 404 else "400.html"
    body: str
    try:
        body = render_to_string(template, {"detail": detail}, request=request)
    except Exception:  # no template: a plain line
        body = detail
    return HttpResponse(body, status=status)


def _has_nul(request: HttpRequest) -> str | None:
    """Where a NUL is: "query string" or "form field", else None."""
    if any("\x00" in key or any("\x00" in v for v in values)
           for key, values in request.GET.lists()):
        return "query string"
    if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        # A malformed body raises here as it would in the view: Django answers it with a 400
        # (MultiPartParserError, SuspiciousOperation), so nothing is caught.
        items = list(request.POST.lists())
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in items):
            return "form field"
    return None


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:  # no page has one (the admin's <path:object_id> took it)
            return _refuse(request, 404, "not found")
        where = _has_nul(request)
        if where is not None:
            return _refuse(request, 400, f"a {where} contains a NUL character")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DataError):
            return None
        code = getattr(getattr(exception, "__cause__", None), "sqlstate", None) or getattr(
            getattr(exception, "__cause__", None), "pgcode", None)
        if code not in CLIENT_DATA_ERRORS:
            return None
        log.warning("%s %s refused: a value out of the database's range (SQLSTATE %s)",
                    request.method, request.resolver_match.view_name if request.resolver_match
                    else "?", code)
        if request.method in ("GET", "HEAD"):
            return _refuse(request, 404, "not found")
        return _refuse(request, 400, "a value in the request is out of range")
