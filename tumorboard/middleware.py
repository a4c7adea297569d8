"""Response headers Django 5.2 does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
