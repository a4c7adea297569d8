"""Secrets, the audit chain's key, HTTPS and security headers, logins, lockout and sessions."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .environment import DEBUG, VAR_DIR, _env_bool, _env_int, _env_list

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: required when DEBUG is off")
    # Development only: sessions survive a runserver reload; never used with DEBUG off.
    SECRET_KEY = "insecure-development-key-never-used-with-debug-off"  # noqa: S105

# The key of the audit trail's HMAC chain (cases.models.audit). It must live outside the
# database: whoever can write SQL must not be able to recompute the chain. Production refuses to
# start without it; development derives one from SECRET_KEY (a new SECRET_KEY there makes the
# existing development trail fail verify_audit, which is the honest answer).
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "").strip()
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY: required when DEBUG is off (the audit "
                                   "chain's key, kept outside the database)")
    AUDIT_HMAC_KEY = hmac.new(SECRET_KEY.encode(), b"tumorboard.audit-chain.v1",
                              hashlib.sha256).hexdigest()
elif len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY: at least 32 characters")
elif AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY: must differ from SECRET_KEY")
# Beat writes the chain's head (sequence and MAC) to the log and to this file every
# AUDIT_CHECKPOINT_SECONDS; verify_audit compares the chain with it, so rows removed from the
# end (with the head row) are caught. Outside the database on purpose.
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("AUDIT_CHECKPOINT_FILE", "").strip() or VAR_DIR / "audit" / "checkpoint.json")
AUDIT_CHECKPOINT_SECONDS = _env_int("AUDIT_CHECKPOINT_SECONDS", 300, minimum=10)
# The reads' audit rows are sealed with one INSERT in the request and linked to the chain by
# beat this often (cases.models.audit.chain_pending).
AUDIT_CHAIN_SECONDS = _env_int("AUDIT_CHAIN_SECONDS", 5, minimum=1)

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS only in production. TLS ends at nginx, which sets X-Forwarded-Proto; gunicorn trusts it
# from FORWARDED_ALLOW_IPS only (deploy/gunicorn.conf.py), so a client cannot forge it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The same proxies' X-Real-IP names the client for the login lockout and the audit trail
# (tumorboard.clientip); "*" trusts every peer (only when nothing but the proxy can connect).
TRUSTED_PROXIES = _env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Sent on HTTPS responses only. Start low (300) on a new domain; a year once HTTPS is proven.
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload flag only makes the domain eligible; submitting it to the browsers' list is a
# separate, deliberate act (deploy/README.md).
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links out of the service never carry a case or patient id in the Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Set by tumorboard.middleware.ContentSecurityPolicyMiddleware on every response. No template
# has an inline style or script (Swagger UI styles elements through the DOM, which CSP allows).
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "").strip() or (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and IP before any password is checked.
    "tumorboard.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout (django-axes): this many failed logins for one username from one address locks
# that pair out for AXES_COOLOFF_MINUTES. The pair, not the username alone, so that someone
# guessing cannot lock a clinician out from everywhere. Token-authenticated API calls never pass
# through a password check, so a lockout does not stop an integration. Failures are counted in
# the database (axes' AccessAttempt), shared by every web process.
AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Behind nginx the peer is nginx: the client's address is its X-Real-IP (tumorboard.clientip).
AXES_CLIENT_IP_CALLABLE = "tumorboard.clientip.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = _env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # inactivity timeout, not a fixed lifetime
# Database sessions whose save lets "database down" through as 503, not 400, read from the
# "sessions" cache (Redis when REDIS_URL is set) with the row's expiry rewritten at most every
# SESSION_DB_REFRESH_SECONDS when nothing else changed (tumorboard.sessions).
SESSION_ENGINE = "tumorboard.sessions"
SESSION_CACHE_ALIAS = "sessions"
SESSION_DB_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Forms carry the token in a hidden field ({% csrf_token %}); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
