"""Refusals shared by every app, free of any web framework."""

from __future__ import annotations


class Conflict(Exception):
    """A refusal caused by the current state of the data: nothing changed (HTTP 409).

    Each domain's conflict (an illegal state move, a stale version, a missing quorum) says what
    the client needs to recover in ``payload()``.
    """

    def payload(self) -> dict[str, object]:
        return {"detail": str(self)}


class SessionCacheUnavailable(Exception):
    """A signed-in session could not be removed from the cache (Redis away): the request is
    answered 503 with Retry-After by ``tumorboard.dbguard``, never 500, and is retried."""
