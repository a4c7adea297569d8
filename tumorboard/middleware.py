"""Response headers Django 5.2 does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none yet.

    Scripts and styles come from our own static files only, so an injected ``<script>`` in a
    page (a patient name rendered unescaped, say) does not run.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class NoStoreForAuthenticatedMiddleware:
    """``Cache-Control: no-store`` (and private, no-cache) on every answer to a signed-in user
    or an API token: pages, API, FHIR, packets (PDF) and calendars (ICS) all carry patient data,
    which no browser cache or proxy may keep. Static files and anonymous pages are untouched.

    Placed outside the authentication middleware so that it sees the user DRF set from a token
    (DRF writes it through to the Django request) when the answer comes back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request):
            add_never_cache_headers(response)
        return response


def _signed_in(request: HttpRequest) -> bool:
    """Whether the request may carry someone's data, decided without a database query: a
    request that sends a session cookie or credentials, or whose user is already loaded and
    signed in. (Loading the user here would query the database after the answer was made, and
    during a database outage turn dbguard's 503 into a 500.)"""
    if request.headers.get("Authorization") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", user)
    if loaded is None or loaded is empty:
        return False
    return bool(getattr(loaded, "is_authenticated", False))
