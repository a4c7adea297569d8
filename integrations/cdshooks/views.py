"""``/cds-services`` (discovery) and ``/cds-services/<id>`` (a hook call), CDS Hooks 2.0.

Thin: authenticate (``auth``), call ``services.hook_call``, audit, answer JSON. Errors are JSON
``{"error": <reason>}``: 400 malformed (the reason names the member), 401 bad or absent JWT,
404 unknown service, 412 a required prefetch absent. CORS is open (the specification: browser
based EHRs call the service directly); no cookie is read, only the JWT.
"""

from __future__ import annotations

import contextlib
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from .auth import CdsAuthError, authenticate
from .services import CdsRequestError, discovery, hook_audit, hook_call

logger = logging.getLogger(__name__)

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "WWW-Authenticate",
}
MAX_BODY_BYTES = 5_000_000


def _body(request: HttpRequest) -> bytes:
    """The raw body; empty when something before the view already consumed a form body (a
    hook request is JSON, never a form)."""
    try:
        return request.body
    except RawPostDataException:
        return b""


def _answer(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    for key, value in CORS.items():
        response[key] = value
    response["Cache-Control"] = "no-store"
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    for key, value in CORS.items():
        response[key] = value
    return response


@csrf_exempt
def cds_discovery(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    if request.method != "GET":
        return _answer({"error": "discovery is GET"}, status=405)
    return _answer(discovery())


@csrf_exempt
def cds_service(request: HttpRequest, service_id: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight()
    if request.method != "POST":
        return _answer({"error": "a hook is called with POST"}, status=405)
    hook_instance = ""
    with contextlib.suppress(ValueError, AttributeError, UnicodeDecodeError):
        hook_instance = str(json.loads(_body(request)).get("hookInstance", ""))
    base = settings.CDS_HOOKS_AUDIENCE
    try:
        user, _claims = authenticate(request.headers.get("Authorization", ""),
                                     audiences=[base, f"{base}/{service_id}"])
    except CdsAuthError as error:
        hook_audit(user=None, service_id=service_id, status=401, result=None, reason=str(error),
                   hook_instance=hook_instance)
        response = _answer({"error": str(error)}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="cds-services"'
        return response
    if len(_body(request)) > MAX_BODY_BYTES:
        hook_audit(user=user, service_id=service_id, status=413, result=None,
                   hook_instance=hook_instance)
        return _answer({"error": "body: too large"}, status=413)
    try:
        result = hook_call(service_id=service_id, body=_body(request), user=user)
    except CdsRequestError as error:
        hook_audit(user=user, service_id=service_id, status=error.status, result=None,
                   reason=error.reason, hook_instance=hook_instance)
        return _answer({"error": error.reason}, status=error.status)
    hook_audit(user=user, service_id=service_id, status=200, result=result,
               hook_instance=hook_instance)
    logger.info("cds hook %s: %d card(s), source %s", service_id, len(result.body["cards"]),
                result.source)
    return _answer(result.body)
