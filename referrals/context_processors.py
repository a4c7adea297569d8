"""The alert bell of every page: the number of unread alerts, one cheap query, cached per request
(lazy: a page that never shows the bell runs none)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def alert_bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> str:
        """"" when nothing is unread (the bell shows no number), else "3" or "99+"."""
        cached = getattr(request, "_unread_alerts", None)
        if cached is None:
            from .selectors import alert_unread_count, bell_words

            unread = alert_unread_count(user=user)
            cached = bell_words(unread) if unread else ""
            request._unread_alerts = cached  # type: ignore[attr-defined]
        return cached

    return {"unread_alerts": SimpleLazyObject(count)}
