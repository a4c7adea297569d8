"""API tokens: created with a secret shown once, stored as a SHA-256, revocable.

A token reads ``tb_<prefix>.<secret>``: the prefix (public, unique) finds the row in one indexed
query, the digest of the whole token proves it; the comparison is constant-time. A high-entropy
secret needs no slow hash (unlike a password): SHA-256 cannot be reversed or brute-forced.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tumorboard.models import User

from .models import ApiToken

PREFIX = "tb_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, created_by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the one and only copy of the plain token."""
    prefix = secrets.token_hex(6)
    raw = f"{PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip()[:100] or "API token",
                                    prefix=prefix, digest=_digest(raw), created_by=created_by)
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke once; revoking again changes nothing (the first time is kept)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` names, with its active user; ``None`` for anything else."""
    if not raw.startswith(PREFIX) or "." not in raw:
        return None
    prefix = raw[len(PREFIX):].split(".", 1)[0]
    token = (ApiToken.objects.select_related("user")
             .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True).first())
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
