"""Production settings: `check --deploy` is clean, the security headers are sent, logs are JSON
lines without patient data. One settings module; production is DEBUG=false plus the env."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tumorboard.logging import JsonFormatter

BASE_DIR = Path(__file__).resolve().parents[2]
CANARY_GIVEN, CANARY_FAMILY, CANARY_MRN = "Orlaithe", "Brumblecombe", "MRN-CANARY-5150"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "SECURE_", "SECRET", "LOG_", "AUDIT_")) and k not in {
               "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
               "EMAIL_URL", "STATIC_MANIFEST", "CONTENT_SECURITY_POLICY", "SERVICE_BASE_URL",
               "FHIR_CANONICAL_BASE",
               # The browser tests' own switch (tests/browser/conftest.py), never production's.
               "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tumorboard.settings", TUMORBOARD_VAR_DIR=str(tmp_path),
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tumorboard.example.org",
        CSRF_TRUSTED_ORIGINS="https://tumorboard.example.org",
        SERVICE_BASE_URL="https://tumorboard.example.org",
        FHIR_CANONICAL_BASE="https://tumorboard.example.org/api/v1/fhir",
        # Example values: the checks never connect (an unreachable host proves it).
        DATABASE_URL="postgres://tumorboard:secret@db.invalid:5432/tumorboard",
        REDIS_URL="redis://:secret@redis.invalid:6379/0",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.invalid:587",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_turns_on_https_hsts_secure_cookies_and_json_logs(tmp_path: Path) -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.LOG_FORMAT, "
        "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1]]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR,
                            env=production_env(tmp_path), capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True, 31536000, True, True, True, "json",
                                         "CompressedManifestStaticFilesStorage"]


@pytest.mark.parametrize("name", ["SERVICE_BASE_URL", "FHIR_CANONICAL_BASE"])
def test_production_refuses_to_start_without_its_public_base_urls(tmp_path: Path,
                                                                 name: str) -> None:
    """Issue 20: calendar UIDs and links, e-mail links and stored FHIR identifiers must never
    name localhost; a malformed value is refused too."""
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SERVICE_BASE_URL, s.FHIR_CANONICAL_BASE)")
    for value, message in (("", f"{name}: required when DEBUG is off"),
                           ("tumorboard.example.org", f"{name}: expected an http(s) URL")):
        result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR,
                                env=production_env(tmp_path, **{name: value}),
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
        assert message in result.stderr
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR,
                            env=production_env(tmp_path), capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://tumorboard.example.org",
                                     "https://tumorboard.example.org/api/v1/fhir"]


def test_a_malformed_log_format_fails_at_start_naming_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=BASE_DIR,
        env=production_env(tmp_path, LOG_FORMAT="xml"), capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT: expected json or plain" in result.stderr


@pytest.fixture
def production_headers(settings) -> None:
    """The header settings DEBUG=false gives (the middleware reads them when a client starts)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_https_responses_carry_hsts_csp_and_the_other_security_headers(
    db, production_headers
) -> None:
    response = Client().get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


def test_plain_http_is_redirected_to_https_unless_the_proxy_says_https(
    db, production_headers
) -> None:
    client = Client()
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in plain
    proxied = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied


def test_the_session_cookie_is_secure_and_http_only(db, production_headers, breast_surgeon):
    client = Client()
    client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), {"username": "alice",
                                              "password": "correct-horse-battery"}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]


def test_the_api_docs_page_runs_no_inline_script(db, production_headers) -> None:
    response = Client().get(reverse("api-docs"), secure=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" in page
    # Every script is a file of our own origin; the CSP forbids inline ones.
    assert page.count("<script") == page.count("<script src=")


def _json_lines(records: list[logging.LogRecord]) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


def test_a_json_log_line_has_time_level_logger_message_and_only_the_exception_type() -> None:
    logger = logging.getLogger("tumorboard.test")
    record = logger.makeRecord("tumorboard.test", logging.ERROR, __file__, 1,
                               "alert %s failed", (42,), None, extra={"case_id": 7})
    try:
        raise ValueError(f"no such patient {CANARY_FAMILY}")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and CANARY_FAMILY not in line
    entry = json.loads(line)
    assert entry["time"].endswith("Z") and entry["level"] == "ERROR"
    assert entry["logger"] == "tumorboard.test" and entry["message"] == "alert 42 failed"
    assert entry["exception"] == "ValueError" and entry["case_id"] == 7


@pytest.mark.django_db
def test_json_logs_of_a_journey_parse_and_carry_no_patient_data(
    caplog, breast_surgeon, outsider, breast_team, spine_team
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("django.request", "cases", "referrals", "rest_framework"):
        caplog.set_level(logging.DEBUG, logger=name)
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    patient = {"mrn": CANARY_MRN, "given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY,
               "birth_date": "1968-03-02", "sex": "female"}
    body = {"patient": patient, "primary_status": "known_breast", "breast_team": breast_team.pk,
            "spine_team": spine_team.pk}
    created = api.post(reverse("api-cases"), body, format="json")
    assert created.status_code == 201
    assert api.post(reverse("api-cases"), body, format="json").status_code == 400
    case_id = created.json()["id"]
    api.force_authenticate(outsider)
    assert api.get(reverse("api-case", args=[case_id])).status_code == 404
    try:
        raise LookupError(CANARY_MRN)
    except LookupError:
        logging.getLogger("cases").exception("lookup failed for case %s", case_id)

    assert caplog.records
    lines = _json_lines(caplog.records)
    assert any(line.get("exception") == "LookupError" for line in lines)
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in (CANARY_GIVEN, CANARY_FAMILY, CANARY_MRN):
        assert secret not in text
