"""Pages of the project package: health, the session keep-alive and the operator's probe; and
``role_required``, the gate every app's pages use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .health import health_report
from .models import User
from .roles import Role

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Let the given roles in; send anyone else to their own home page."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if cast(User, request.user).role not in roles:
                return redirect("home")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@require_POST
@role_required(Role.ADMIN)
def send_probe(request: HttpRequest) -> HttpResponse:
    probe = services.task_probe_send(actor=cast(User, request.user))
    messages.success(request, f"Probe {probe.pk} sent to the workers.")
    return redirect("home-admin")


@never_cache
@require_GET
@login_required
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """"Stay signed in": any request restarts the inactivity clock (SESSION_SAVE_EVERY_REQUEST);
    this one says how long the session now lasts."""
    from django.conf import settings

    return JsonResponse({"seconds_left": settings.SESSION_COOKIE_AGE})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: an address under ``/api/`` that no route matches (an id beyond the range
    of the path converters, a mistyped path) answers the API's documented JSON error body
    (``ErrorDetail``; an ``OperationOutcome`` on a FHIR route), never an HTML page; every other
    address gets the site's 404 page."""
    if request.path.startswith("/api/") and "/fhir" in request.path:
        # A FHIR route: the OperationOutcome its routes answer (integrations.fhir.views).
        return JsonResponse({"resourceType": "OperationOutcome", "issue": [{
            "severity": "error", "code": "not-found",
            "diagnostics": "no such resource among those you may see"}]},
            status=404, content_type="application/fhir+json; charset=utf-8")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception or Exception("not found"))
