"""What the development error pages (DEBUG on) may show.

* ``SafeReporterFilter``: Django masks settings whose names say KEY, SECRET, PASS or TOKEN, but
  not ``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL`` or ``CELERY_BROKER_URL``, which carry the
  passwords of production-like setups, nor the same URLs inside ``CACHES`` or the environment
  that ``runserver`` copies into ``request.META``. Every URL-shaped value with a password has it
  replaced, and every broker setting is masked whole.
* ``AnonymousTechnical404Middleware``: Django's DEBUG 404 page lists every URL pattern; a visitor
  who is not signed in gets the ordinary 404 page instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.views.debug import SafeExceptionReporterFilter

MASK = SafeExceptionReporterFilter.cleansed_substitute
# scheme://user:password@host... anywhere in a string (a URL list, a DSN in a message).
_URL_WITH_PASSWORD = re.compile(r"([a-z][a-z0-9+.\-]*://[^:/@\s]*:)([^@\s]+)(@)", re.IGNORECASE)


class SafeReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|BROKER|DSN", flags=re.IGNORECASE)

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and "://" in cleansed:
            return mask_url_passwords(cleansed)
        return cleansed


def mask_url_passwords(text: str) -> str:
    """``redis://:pw@host/0`` -> ``redis://:********************@host/0``."""
    masked = _URL_WITH_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    try:  # a password with characters the pattern stops at
        if urlsplit(masked).password not in (None, MASK):
            return MASK
    except ValueError:
        return MASK
    return masked


class AnonymousTechnical404Middleware:
    """With DEBUG on, answer an anonymous visitor's HTML 404 with the production 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404
                and response.get("Content-Type", "").startswith("text/html")):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return defaults.page_not_found(request, exception=None)
        return response
