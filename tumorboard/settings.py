"""Settings for the tumor board service.

Every value comes from the environment with a safe default for development. A malformed value
stops the process at start with a message that names the variable. See `.env.example` in
`deploy/` for the full list.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUMORBOARD_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false (1/0, yes/no), got {raw!r}")


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    return value


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env_url(name: str, default: str, schemes: set[str]) -> str:
    raw = os.environ.get(name, "").strip() or default
    scheme = urlsplit(raw).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name}: scheme {scheme or '(none)'!r} is not one of {allowed}")
    return raw


# On by default for development, as in healthchecks; production sets DEBUG=false and must then
# give SECRET_KEY (deploy/.env.example).
DEBUG = _env_bool("DEBUG", True)

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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "tumorboard",
    "cases",
    "referrals",
    "scoring",
    "meetings",
    "integrations",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tumorboard.middleware.ContentSecurityPolicyMiddleware",
    # DEBUG's 404 page lists every URL pattern: never to someone not signed in.
    "tumorboard.errorreports.AnonymousTechnical404Middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tumorboard.dbguard.DatabaseUnavailableMiddleware",  # 503, never 500, while the DB is down
    # Patient data never stays in a browser's or a proxy's cache (below dbguard: whatever it
    # meets during an outage is still a 503; below whitenoise: static files stay cacheable).
    "tumorboard.middleware.NoStoreForAuthenticatedMiddleware",
    # NUL in a query string or form: 400; a value out of the database's range: 404/400.
    "tumorboard.inputguard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every API write body is one JSON object of bounded size and depth, checked before any
    # view runs, even a view that reads no body: otherwise a 413/415/400 (tumorboard.apibody).
    "tumorboard.apibody.ApiBodyMiddleware",
    "tumorboard.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The DEBUG error page masks URL-shaped settings with a password and the broker URL.
DEFAULT_EXCEPTION_REPORTER_FILTER = "tumorboard.errorreports.SafeReporterFilter"

ROOT_URLCONF = "tumorboard.urls"
WSGI_APPLICATION = "tumorboard.wsgi.application"
ASGI_APPLICATION = "tumorboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "referrals.context_processors.alert_bell",
                "tumorboard.context_processors.layout",
            ],
        },
    },
]

# Database: PostgreSQL in production, a SQLite file by default.
DATABASE_URL = _env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'tumorboard.sqlite3'}",
    {"sqlite", "postgres", "postgresql", "pgsql", "postgis"},
)
try:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
except Exception as exc:  # environ raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = _env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A web process, a worker and beat share one file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Short OLTP queries: PostgreSQL's JIT compiled the agenda query for 3.9 s of its 5.3 s at
    # 100k cases (bench/RESULTS.md, item 4). JIT pays off for long analytical queries only.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tumorboard.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and IP before any password is checked.
    "tumorboard.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_ANONYMOUS_USER_NAME = None  # anonymous users never hold object permissions
GUARDIAN_MONKEY_PATCH_USER = False

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
# Database sessions whose save lets "database down" through as 503, not 400 (tumorboard.sessions).
SESSION_ENGINE = "tumorboard.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Forms carry the token in a hidden field ({% csrf_token %}); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# E-mail: SMTP in production (EMAIL_URL=smtp://...), the console by default.
EMAIL_URL = _env_url("EMAIL_URL", "consolemail://", {"consolemail", "filemail", "memorymail",
                                                     "smtp", "smtps", "smtp+tls", "smtp+ssl",
                                                     "dummymail"})
try:
    _email = environ.Env.email_url_config(EMAIL_URL)
except Exception as exc:
    raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from None
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tumorboard@localhost")

# Celery: Redis in production, a filesystem broker that needs no server by default.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_DATA_DIR.mkdir(parents=True, exist_ok=True)  # beat's schedule file lives here on Redis too
if REDIS_URL:
    _env_url("REDIS_URL", REDIS_URL, {"redis", "rediss"})
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than any task; a dead worker's unacked tasks come back after it.
        "visibility_timeout": _env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=10),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Webhook deliveries wait on other hospitals' servers: they have a queue and worker of their own
# (deploy/systemd/tumorboard-webhooks.service), so that a slow receiver never delays an alert.
CELERY_WEBHOOK_QUEUE = os.environ.get("CELERY_WEBHOOK_QUEUE", "webhooks").strip() or "webhooks"
CELERY_TASK_ROUTES = {"integrations.tasks.deliver": {"queue": CELERY_WEBHOOK_QUEUE}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker is reported down when no heartbeat arrived within this many seconds.
WORKER_HEARTBEAT_INTERVAL = _env_int("WORKER_HEARTBEAT_INTERVAL", 30, minimum=1)
WORKER_HEARTBEAT_STALE_AFTER = _env_int("WORKER_HEARTBEAT_STALE_AFTER", 120, minimum=5)

# Referrals (CLINICAL.md §9 sets the due times, §9a the escalation table, by urgency).
# Tests only (the reliability soak): every escalation interval of §9a's table is divided by this,
# so a worker sees both steps within minutes. 1 in service; never set it in a deployment.
REFERRAL_ESCALATION_CLOCK_DIVISOR = _env_int("REFERRAL_ESCALATION_CLOCK_DIVISOR", 1, minimum=1)
# Public holidays (ISO dates, comma-separated): not working days for the weekend watch (§9b),
# which also runs at 12:00 on the day before each.
def _env_dates(name: str) -> tuple[date, ...]:
    try:
        return tuple(sorted(date.fromisoformat(day.strip())
                            for day in os.environ.get(name, "").split(",") if day.strip()))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: ISO dates (YYYY-MM-DD), comma-separated") from exc


PUBLIC_HOLIDAYS = _env_dates("PUBLIC_HOLIDAYS")
# A trigger declined or closed within this many days does not raise again with the same evidence.
REFERRAL_QUIET_DAYS = _env_int("REFERRAL_QUIET_DAYS", 28)
# The outbox: alerts still unsent this long after their commit are enqueued again.
ALERT_OUTBOX_RESEND_AFTER_SECONDS = _env_int("ALERT_OUTBOX_RESEND_AFTER_SECONDS", 60, minimum=1)
ALERT_MAX_ATTEMPTS = _env_int("ALERT_MAX_ATTEMPTS", 20, minimum=1)
# Tests only (the worker-killed-mid-task test): seconds the delivery waits before sending.
ALERT_SEND_DELAY_SECONDS = _env_int("ALERT_SEND_DELAY_SECONDS", 0)
# Links in e-mails point here (ids only in the path).
SERVICE_BASE_URL = os.environ.get("SERVICE_BASE_URL", "http://localhost:8000").rstrip("/")

# API rate limit per token (per user for a session), e.g. 1200/minute; "off" disables it.
# A 429 carries Retry-After. Counted in the "throttle" cache (Redis when REDIS_URL is set).
_throttle_rate = os.environ.get("API_THROTTLE_RATE", "1200/minute").strip()
if _throttle_rate.lower() not in {"off", "none", ""} and not re.fullmatch(
    r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _throttle_rate
):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE: expected <count>/<second|minute|hour|day> "
                               f"or off, got {_throttle_rate!r}")
API_THROTTLE_RATE: str | None = (
    None if _throttle_rate.lower() in {"off", "none", ""} else _throttle_rate
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        # Short socket timeouts: with Redis away the limiter fails open (integrations.throttling)
        # rather than holding every API request.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "tb",
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
              "LOCATION": "throttle"}
    ),
}

# API tokens (integrations.tokens): days a new token lives (create_integration_client
# --token-days may give a hospital system longer), and how many live tokens one person may hold.
API_TOKEN_TTL_DAYS = _env_int("API_TOKEN_TTL_DAYS", 90, minimum=1)
API_TOKENS_PER_USER = _env_int("API_TOKENS_PER_USER", 5, minimum=1)

# Webhooks (integrations.webhooks): seconds to connect to a receiver and to wait for its answer
# (short: a slow receiver only holds a worker of the webhook queue), attempts before giving up,
# and the first retry's wait (doubling at each failure, at most six hours).
WEBHOOK_CONNECT_TIMEOUT_SECONDS = _env_int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = _env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_MAX_ATTEMPTS = _env_int("WEBHOOK_MAX_ATTEMPTS", 12, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = _env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
# Plain http:// webhook URLs (development and tests); production requires https://.
WEBHOOK_ALLOW_HTTP = _env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
# Webhooks never go to loopback, link-local, private, shared or reserved addresses
# (integrations.destinations) except into these networks (CIDRs, comma-separated): a
# hospital's own integration engine, e.g. "10.20.0.0/24". Empty by default.
WEBHOOK_ALLOWED_NETWORKS = _env_list("WEBHOOK_ALLOWED_NETWORKS", [])
for _cidr in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"WEBHOOK_ALLOWED_NETWORKS: {_cidr!r} is not a network (e.g. 10.20.0.0/24)") from None
# Subscriptions one integration client may hold.
WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT = _env_int("WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT", 10,
                                                minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.permissions.ReadOnlyForIntegrations"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.throttling.ApiRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tumorboard.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tumorboard.api_errors.exception_handler",
}

def _enum_values(path: str) -> Callable[[], list[str]]:
    """The values of an enum, imported when the schema is built (apps are not loaded yet)."""
    return lambda: [member.value for member in import_string(path)]


SPECTACULAR_SETTINGS = {
    "TITLE": "Tumor board service API",
    "DESCRIPTION": "MDT workflow for breast-cancer spinal metastases.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # API ids (tumorboard.converters): integers that fit a database key.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.schema.add_common_responses",
    ],
    # One name per choice set: the model choices (with labels) and the scoring API's plain
    # values share field names; without these `check --deploy` warns (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "cases.timeline.Phase",
        "LesionPainEnum": "cases.models.lesion.PAIN_CHOICES",
        "LesionAlignmentEnum": "cases.models.lesion.ALIGNMENT_CHOICES",
        "LesionCollapseEnum": "cases.models.lesion.COLLAPSE_CHOICES",
        "LesionBilskyEnum": "cases.models.lesion.BILSKY_CHOICES",
        "CaseFrankelEnum": "cases.models.case.FRANKEL_CHOICES",
        "CaseSubtypeEnum": "cases.models.case.SUBTYPE_CHOICES",
        "AssessmentPathwayEnum": "cases.models.assessment.PATHWAY_CHOICES",
        "ReferralDirectionEnum": "referrals.models.DIRECTION_CHOICES",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "MeetingStatusEnum": "meetings.models.MeetingStatus",
        "WebhookEventEnum": "integrations.models.WebhookEvent",
        "ScorePainEnum": _enum_values("scoring.calculators.enums.Pain"),
        "ScoreAlignmentEnum": _enum_values("scoring.calculators.enums.Alignment"),
        "ScoreCollapseEnum": _enum_values("scoring.calculators.enums.Collapse"),
        "ScoreBilskyEnum": _enum_values("scoring.calculators.enums.BilskyGrade"),
        "ScoreFrankelEnum": _enum_values("scoring.calculators.enums.Frankel"),
        "ScoreSubtypeEnum": _enum_values("scoring.calculators.enums.MolecularSubtype"),
        "ScorePathwayEnum": _enum_values("scoring.calculators.enums.NomsPathway"),
        "ScoreDirectionEnum": _enum_values("scoring.calculators.enums.ReferralDirection"),
    },
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL: unknown level {LOG_LEVEL!r}")
# json: one JSON object per line (tumorboard.logging), for a log collector; plain for a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT: expected json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "tumorboard.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Request lines carry URLs only; ids, never names or MRNs, are put in URLs.
        "django.request": {"level": "WARNING"},
        # SQL parameters carry patient names and MRNs: never log queries, even at LOG_LEVEL=DEBUG.
        "django.db.backends": {"level": "INFO"},
    },
}

# The roles that must be present at an MDT for a decision to be finalized without the chair's
# recorded reason (issue 6; S2 §6.2). Read through meetings.conf.quorum_roles().
MDT_QUORUM_ROLES = tuple(
    _env_list("MDT_QUORUM_ROLES", ["breast_oncosurgeon", "neurosurgeon", "radiation_oncologist"])
)
# Only clinicians count for quorum (DESIGN.md, access model): never a coordinator.
_unknown_roles = set(MDT_QUORUM_ROLES) - {
    "breast_oncosurgeon", "neurosurgeon", "radiation_oncologist", "medical_oncologist",
}
if _unknown_roles:
    raise ImproperlyConfigured(f"MDT_QUORUM_ROLES: unknown role(s) {sorted(_unknown_roles)}")

# Attendees of an MDT meeting see the cases on its agenda until this many days after the meeting
# is finalized (DESIGN.md, access model; meetings.access).
MEETING_ATTENDEE_ACCESS_DAYS = _env_int("MEETING_ATTENDEE_ACCESS_DAYS", 30)

# Demo logins printed by `make run`; never created unless seed_demo runs.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-tumorboard-2026")

# Fail loudly in tests and CI when an integration service is missing (see tests/conftest.py).
REQUIRE_SERVICES = _env_bool("TUMORBOARD_REQUIRE_SERVICES", False)
