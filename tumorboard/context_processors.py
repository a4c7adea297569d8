"""What the page layout needs on every page: the inactivity timeout and the time zone shown."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def layout(request: HttpRequest) -> dict[str, Any]:
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "time_zone_name": timezone.get_current_timezone_name(),
    }
