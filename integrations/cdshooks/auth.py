"""The EHR's signed JWT (CDS Hooks 2.0, "Trusting CDS Clients"), checked with PyJWT against the
configured JWKS (``settings.CDS_HOOKS_JWKS``: an https URL or a local file).

What is checked: ``Authorization: Bearer <jwt>``; alg ES384 or RS384 (the two the specification
requires); the key named by ``kid`` in the configured JWKS (a ``jku`` header is honoured only when
it names that same JWKS: the service never fetches keys from a URL the caller chose); the
signature; ``iss`` a configured issuer; ``aud`` this service's endpoint; ``exp``, ``iat`` and
``jti`` present, the token not expired, not issued in the future, and living no longer than
``CDS_HOOKS_MAX_TOKEN_AGE``; ``jti`` used once (a replayed token is refused). The issuer acts as
an integration principal (a user with the role "integration"), whose grants decide which of the
service's own cases a card may read.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import jwt
from django.conf import settings
from django.core.cache import cache

from tumorboard.models import User
from tumorboard.roles import Role

ALGORITHMS = ("ES384", "RS384")
LEEWAY_SECONDS = 30


class CdsAuthError(Exception):
    """401: the reason goes back to the caller (it names no secret and no patient)."""


@lru_cache(maxsize=4)
def _url_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300)


def _file_keys(path: str, mtime: float) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(json.loads(Path(path).read_text()))


_file_keys_cached = lru_cache(maxsize=4)(_file_keys)


def _signing_key(source: str, kid: str) -> jwt.PyJWK:
    if source.startswith(("https://", "http://")):
        try:
            return _url_client(source).get_signing_key(kid)
        except jwt.PyJWKClientError as error:
            raise CdsAuthError(f"no key {kid!r} in the configured JWKS: {error}") from None
    try:
        keys = _file_keys_cached(source, Path(source).stat().st_mtime)
    except (OSError, ValueError, jwt.PyJWKSetError) as error:
        raise CdsAuthError(f"the configured JWKS cannot be read: {type(error).__name__}") from None
    for key in keys.keys:
        if key.key_id == kid:
            return key
    raise CdsAuthError(f"no key {kid!r} in the configured JWKS")


def _principal(issuer: str) -> User:
    username = settings.CDS_HOOKS_ISSUERS.get(issuer)
    if username is None:
        raise CdsAuthError("iss: issuer not registered with this service")
    user = User.objects.filter(username=username, is_active=True,
                               role=Role.INTEGRATION).first()
    if user is None:
        raise CdsAuthError("iss: the issuer's integration principal is missing or inactive")
    return user


def authenticate(header: str, *, audiences: list[str]) -> tuple[User, dict[str, object]]:
    """The integration principal of a valid ``Authorization`` header and the token's claims;
    ``CdsAuthError`` otherwise."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CdsAuthError("Authorization: Bearer <JWT> is required")
    source = settings.CDS_HOOKS_JWKS
    if not source:
        raise CdsAuthError("no JWKS configured: this service accepts no CDS client yet")
    try:
        head = jwt.get_unverified_header(token.strip())
    except jwt.InvalidTokenError:
        raise CdsAuthError("the bearer token is not a JWT") from None
    if head.get("alg") not in ALGORITHMS:
        raise CdsAuthError(f"alg: must be one of {', '.join(ALGORITHMS)}")
    kid = head.get("kid")
    if not isinstance(kid, str) or not kid:
        raise CdsAuthError("kid: the JWT header must name its key")
    if head.get("jku") not in (None, source):
        raise CdsAuthError("jku: not the JWKS registered for this service")
    key = _signing_key(source, kid)
    try:
        claims = jwt.decode(
            token.strip(), key=key.key, algorithms=list(ALGORITHMS), audience=audiences,
            leeway=LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat", "jti"]})
    except jwt.ExpiredSignatureError:
        raise CdsAuthError("exp: the JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise CdsAuthError("aud: the JWT is not for this service") from None
    except jwt.MissingRequiredClaimError as error:
        raise CdsAuthError(f"{error.claim}: required claim missing") from None
    except jwt.ImmatureSignatureError:
        raise CdsAuthError("iat: the JWT is issued in the future") from None
    except jwt.InvalidTokenError as error:
        raise CdsAuthError(f"invalid JWT: {type(error).__name__}") from None
    now = time.time()
    exp, iat = float(str(claims["exp"])), float(str(claims["iat"]))
    if iat > now + LEEWAY_SECONDS:
        raise CdsAuthError("iat: the JWT is issued in the future")
    if exp - iat > settings.CDS_HOOKS_MAX_TOKEN_AGE:
        raise CdsAuthError(f"exp: a JWT may live at most {settings.CDS_HOOKS_MAX_TOKEN_AGE} s")
    user = _principal(str(claims["iss"]))
    # Replay: a jti is accepted once while its token could still be valid.
    ttl = max(1, int(exp - now) + LEEWAY_SECONDS)
    if not cache.add(f"cds-jti:{claims['iss']}:{claims['jti']}", 1, timeout=ttl):
        raise CdsAuthError("jti: this JWT was already used")
    return user, claims
