"""The service's own policies: referral escalation and alerts, API tokens, webhooks, MDT quorum
and attendee access, demo logins, and the tests' switch for required services."""

from __future__ import annotations

import ipaddress
import os
from datetime import date

from django.core.exceptions import ImproperlyConfigured

from .environment import DEBUG, _env_bool, _env_int, _env_list

# Referrals (CLINICAL.md §9 sets the due times, §9a the escalation table, by urgency).
# Tests only (the reliability soak): every escalation interval of §9a's table is divided by this,
# so a worker sees both steps within minutes. 1 in service; never set it in a deployment.
REFERRAL_ESCALATION_CLOCK_DIVISOR = _env_int("REFERRAL_ESCALATION_CLOCK_DIVISOR", 1, minimum=1)


def _env_dates(name: str) -> tuple[date, ...]:
    try:
        return tuple(sorted(date.fromisoformat(day.strip())
                            for day in os.environ.get(name, "").split(",") if day.strip()))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: ISO dates (YYYY-MM-DD), comma-separated") from exc


# Public holidays (ISO dates, comma-separated): not working days for the weekend watch (§9b),
# which also runs at 12:00 on the day before each.
PUBLIC_HOLIDAYS = _env_dates("PUBLIC_HOLIDAYS")
# A trigger declined or closed within this many days does not raise again with the same evidence.
REFERRAL_QUIET_DAYS = _env_int("REFERRAL_QUIET_DAYS", 28)
# The outbox: alerts still unsent this long after their commit are enqueued again.
ALERT_OUTBOX_RESEND_AFTER_SECONDS = _env_int("ALERT_OUTBOX_RESEND_AFTER_SECONDS", 60, minimum=1)
ALERT_MAX_ATTEMPTS = _env_int("ALERT_MAX_ATTEMPTS", 20, minimum=1)


def _env_public_url(name: str, development: str) -> str:
    """A public base URL: required when DEBUG is off (a calendar file's UID and links, and the
    FHIR identifiers a hospital stores, must never say localhost); http(s), no trailing slash."""
    value = os.environ.get(name, "").strip().rstrip("/")
    if not value:
        if not DEBUG:
            raise ImproperlyConfigured(f"{name}: required when DEBUG is off (a public "
                                       f"https:// URL, e.g. https://tumorboard.example.org)")
        return development
    if not value.startswith(("https://", "http://")) or value.endswith("://"):
        raise ImproperlyConfigured(f"{name}: expected an http(s) URL, got {value!r}")
    return value


# Links in e-mails and calendar files point here (ids only in the path).
SERVICE_BASE_URL = _env_public_url("SERVICE_BASE_URL", "http://localhost:8000")
# FHIR canonical base: the URL under which the service publishes its CodeSystems and naming
# systems (spine scores, MRN per institution). Identifiers a hospital stores carry it, so set it
# once to a stable public URL; in development it is where this service serves them.
FHIR_CANONICAL_BASE = _env_public_url("FHIR_CANONICAL_BASE", f"{SERVICE_BASE_URL}/api/v1/fhir")

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
# After a secret rotation the previous secret signs too, for this long (Standard Webhooks).
WEBHOOK_SECRET_OVERLAP_SECONDS = _env_int("WEBHOOK_SECRET_OVERLAP_SECONDS", 24 * 3600, minimum=0)
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

# The roles that must be present at an MDT for a decision to be finalized without the chair's
# recorded reason (issue 6; S2 §6.2). Read through meetings.conf.quorum_roles().
MDT_QUORUM_ROLES = tuple(
    _env_list("MDT_QUORUM_ROLES", ["breast_oncosurgeon", "neurosurgeon", "radiation_oncologist"])
)
# Only clinicians count for quorum (DESIGN.md, access model): never a coordinator; palliative
# care and physiotherapy may be configured as optional specialties (issue 19).
_unknown_roles = set(MDT_QUORUM_ROLES) - {
    "breast_oncosurgeon", "neurosurgeon", "radiation_oncologist", "medical_oncologist",
    # Optional specialties (meetings.conf.OPTIONAL_SPECIALTY_ROLES; issue 19).
    "palliative_care_physician", "physiotherapist",
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
