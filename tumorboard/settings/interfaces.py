"""The hospital-facing interfaces of issue 21: CDS Hooks (cards in the EHR) and the HL7 v2 ADT
listener. Every value from the environment; a malformed value stops the process at start."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from . import security  # noqa: F401  (the keys are checked first: their errors come first)
from .environment import DEBUG, VAR_DIR, _env_int, _env_list
from .workflow import SERVICE_BASE_URL


def _env_pairs(name: str) -> dict[str, str]:
    """``key=value,key2=value2`` (keys may hold ``:`` and ``/``: issuers and system URIs)."""
    pairs: dict[str, str] = {}
    for item in _env_list(name, []):
        key, sep, value = item.rpartition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: expected key=value pairs separated by commas, "
                                       f"got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


# --- CDS Hooks 2.0 (integrations.cdshooks) ---------------------------------------------------
# The JWKS that signs the EHRs' JWTs: an https URL (fetched and cached by PyJWT's JWKS client)
# or a local file path. Empty: every hook request is refused with 401.
# In development (DEBUG) it defaults to the demo EHR's JWKS that `manage.py cds_demo_request`
# writes, so the demo works out of the box; production has no default.
CDS_DEMO_DIR = VAR_DIR / "cds-demo"
CDS_HOOKS_JWKS = os.environ.get(
    "CDS_HOOKS_JWKS", str(CDS_DEMO_DIR / "jwks.json") if DEBUG else "").strip()
# Which integration principal (a user with the role "integration") each JWT issuer acts as:
# "https://ehr.example.org=ehr-cds". An issuer not listed is refused (401). In development the
# demo EHR acts as the demo hospital system of seed_demo (integrations.demo).
CDS_DEMO_ISSUER = "https://demo-ehr.invalid"
CDS_HOOKS_ISSUERS = (_env_pairs("CDS_HOOKS_ISSUERS") if "CDS_HOOKS_ISSUERS" in os.environ
                     else {CDS_DEMO_ISSUER: "his-riverside"} if DEBUG else {})
# The audience the JWT must name: the service's CDS endpoint (CDS Hooks 2.0, "Trusting CDS
# Clients": aud is the CDS Service endpoint). The service's own URL is accepted too.
CDS_HOOKS_AUDIENCE = os.environ.get("CDS_HOOKS_AUDIENCE",
                                    f"{SERVICE_BASE_URL}/cds-services").rstrip("/")
# Longest accepted JWT lifetime (exp - iat), seconds: the specification recommends 5 minutes.
CDS_HOOKS_MAX_TOKEN_AGE = _env_int("CDS_HOOKS_MAX_TOKEN_AGE", 300, minimum=10)
# The EHR's MRN identifier systems and the institution each stands for:
# "urn:oid:2.16.840.1.113883.19.5=demo-hospital". Our own FHIR MRN systems are always known.
CDS_HOOKS_MRN_SYSTEMS = _env_pairs("CDS_HOOKS_MRN_SYSTEMS")

# --- HL7 v2 ADT listener (integrations.adt) --------------------------------------------------
ADT_LISTEN_HOST = os.environ.get("ADT_LISTEN_HOST", "127.0.0.1")
ADT_LISTEN_PORT = _env_int("ADT_LISTEN_PORT", 2575, minimum=0)
# The integration principal every ADT change is recorded under (role "integration").
ADT_USERNAME = os.environ.get("ADT_USERNAME", "adt-feed")
# PID-3.4 / MRG-1.4 assigning authorities and the institution code each stands for:
# "HOSP=demo-hospital". An authority that is itself an institution code needs no entry.
ADT_ASSIGNING_AUTHORITIES = _env_pairs("ADT_ASSIGNING_AUTHORITIES")
# Seconds a connection may sit in the middle of a frame before it is dropped (a truncated frame).
ADT_READ_TIMEOUT = _env_int("ADT_READ_TIMEOUT", 30, minimum=1)
# Largest accepted frame, bytes.
ADT_MAX_FRAME_BYTES = _env_int("ADT_MAX_FRAME_BYTES", 1_000_000, minimum=1024)
