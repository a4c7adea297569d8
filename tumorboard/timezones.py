"""Show times in the person's own time zone (``User.time_zone``; blank means ``TIME_ZONE``).

Storage stays UTC; Django converts on display once a zone is activated for the request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@lru_cache(maxsize=64)
def zone_named(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or ``None`` for a blank or unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def plain_time(moment: datetime, person: object = None, *, named: bool = True) -> str:
    """``moment`` in ``person``'s zone (blank: ``TIME_ZONE``), plainly, naming the zone, for an
    e-mail or a document read away from the pages: "2026-12-05 22:29 (Europe/London)"."""
    zone = zone_named(getattr(person, "time_zone", "") or "") or timezone.get_default_timezone()
    local = moment.astimezone(zone) if timezone.is_aware(moment) else moment
    if not named:  # a mail subject: short (the body names the zone)
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{local:%Y-%m-%d %H:%M} ({zone.key if isinstance(zone, ZoneInfo) else zone})"


class UserTimeZoneMiddleware:
    """Activate the signed-in person's time zone for the request (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = zone_named(getattr(user, "time_zone", "") or "") if user is not None else None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
