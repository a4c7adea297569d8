"""API tokens: created with a secret shown once, stored as a SHA-256, revocable, expiring.

A token reads ``tb_<prefix>.<secret>``: the prefix (public, unique) finds the row, the digest of
the whole token proves it; the comparison is constant-time. A high-entropy secret needs no slow
hash (unlike a password): SHA-256 cannot be reversed or brute-forced.

A token lives ``API_TOKEN_TTL_DAYS`` (a hospital system may be given a longer term by
``create_integration_client --token-days``), and a person holds at most ``API_TOKENS_PER_USER``
live (unrevoked, unexpired) tokens: a leaked password cannot mint tokens without bound, and a
forgotten token does not work for ever.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tumorboard.errors import Conflict
from tumorboard.models import User

from .models import ApiToken

PREFIX = "tb_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenLimitReached(Conflict):
    """The person already holds the most live tokens allowed (HTTP 409, nothing created)."""

    def __init__(self, *, limit: int) -> None:
        self.limit = limit
        super().__init__(f"this account already holds {limit} live API tokens, the most "
                         "allowed (API_TOKENS_PER_USER): revoke one before creating another")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "code": "token_limit", "limit": self.limit}


class TokenExpired(Exception):
    """A genuine token past its ``expires_at`` (authentication answers 401 saying so)."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        at = token.expires_at.astimezone(dt.UTC)
        super().__init__(f"token expired at {at:%Y-%m-%dT%H:%M:%SZ}: ask for a new one")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True,
                                   expires_at__gt=timezone.now()).count()


@transaction.atomic
def token_create(*, user: User, name: str, created_by: User | None = None,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the one and only copy of the plain token.

    Lives ``days`` (default ``API_TOKEN_TTL_DAYS``). Raises ``TokenLimitReached`` when ``user``
    already holds ``API_TOKENS_PER_USER`` live tokens.
    """
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if days < 1:
        raise ValueError("a token lives at least one day")
    # The user's row lock serialises two concurrent creations, so the limit holds under races.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    limit = settings.API_TOKENS_PER_USER
    if live_tokens(user) >= limit:
        raise TokenLimitReached(limit=limit)
    prefix = secrets.token_hex(6)
    raw = f"{PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip()[:100] or "API token",
                                    prefix=prefix, digest=_digest(raw), created_by=created_by,
                                    expires_at=timezone.now() + timedelta(days=days))
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke once; revoking again changes nothing (the first time is kept)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` names, with its active user; ``None`` for anything else.

    Raises ``TokenExpired`` for a genuine token past its term (checked after the digest, so
    that the answer tells nothing about a prefix to someone who does not hold the token).
    """
    if not raw.startswith(PREFIX) or "." not in raw:
        return None
    prefix = raw[len(PREFIX):].split(".", 1)[0]
    token = (ApiToken.objects.select_related("user")
             .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True).first())
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenExpired(token)
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
