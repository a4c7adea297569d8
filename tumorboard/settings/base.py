"""The Django project itself: apps, middleware, templates, database, static files, e-mail, the
REST API and its schema, logging."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .environment import BASE_DIR, DEBUG, VAR_DIR, _env_bool, _env_int, _env_url

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
    "simple_history",
    "axes",
    "tumorboard",
    "cases",
    "referrals",
    "scoring",
    "meetings",
    "followthrough",
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
    # One request's memo (the access rule built once, not once per query: issue 22).
    "tumorboard.requestmemo.RequestMemoMiddleware",
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
                "tumorboard.context_processors.layout",
            ],
        },
    },
]

# Django's widget templates, with a select and the text-like inputs written in Python (the same
# markup; a template per option cost the case list's filters 1 ms: bench/RESULTS.md, issue 22).
FORM_RENDERER = "tumorboard.widget_markup.FormRenderer"

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
    # Prepared statements: a query a connection has run DATABASE_PREPARE_THRESHOLD times is
    # prepared, parsed once, and planned once when PostgreSQL's generic plan is as cheap as the
    # plans for the values at hand (plan_cache_mode auto; a complex query with a cheaper
    # plan for its values, the breast home's unreferred triggers, is still planned each time).
    # A page's queries are the same text every time (the parameters are bound apart, server
    # side), and planning was most of their database time: 2.3 ms to plan, 1.1 ms to run the
    # breast home's slowest (bench/RESULTS.md, issue 22).
    # 0 turns it off: behind PgBouncer in transaction mode before 1.21 (which cannot keep a
    # connection's prepared statements), or to compare.
    _prepare = _env_int("DATABASE_PREPARE_THRESHOLD", 2)
    if _prepare:
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True,
                                               prepare_threshold=_prepare)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tumorboard.User"

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
    # OpenAPI 3.1: a nullable nested object is oneOf [its component, null], which validators
    # and generated clients read exactly (3.0's "nullable" beside allOf is ambiguous).
    "OAS_VERSION": "3.1.0",
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
        "ModalityEnum": "cases.models.lesion.Modality",  # the name it had before the work-up
        "WorkupModalityEnum": "referrals.models.WorkupModality",
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
