"""Settings come from the environment; a malformed value stops the start with its name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "EMAIL_URL",
                          "AUDIT_HMAC_KEY", "SERVICE_BASE_URL", "FHIR_CANONICAL_BASE"}}
    clean.update({"TUMORBOARD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
                  "tumorboard.settings", **env})
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL.split('://')[0], s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_defaults_are_sqlite_and_the_filesystem_broker(tmp_path: Path) -> None:
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem", "True"]


def test_database_and_redis_urls_switch_to_postgresql_and_redis(tmp_path: Path) -> None:
    result = load_settings(
        tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "redis"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG: expected true or false"),
        ({"DEBUG": "false"}, "SECRET_KEY: required when DEBUG is off"),
        ({"DEBUG": "false", "SECRET_KEY": "s" * 50},
         "AUDIT_HMAC_KEY: required when DEBUG is off"),
        ({"AUDIT_HMAC_KEY": "too-short"}, "AUDIT_HMAC_KEY: at least 32 characters"),
        ({"DEBUG": "false", "SECRET_KEY": "s" * 50, "AUDIT_HMAC_KEY": "s" * 50},
         "AUDIT_HMAC_KEY: must differ from SECRET_KEY"),
        ({"AUDIT_CHECKPOINT_SECONDS": "often"}, "AUDIT_CHECKPOINT_SECONDS: expected an integer"),
        ({"API_TOKEN_TTL_DAYS": "0"}, "API_TOKEN_TTL_DAYS: must be at least 1"),
        ({"API_TOKENS_PER_USER": "many"}, "API_TOKENS_PER_USER: expected an integer"),
        ({"DATABASE_URL": "mysql-ish://nowhere"}, "DATABASE_URL: scheme 'mysql-ish'"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL: scheme 'http'"),
        ({"SESSION_COOKIE_AGE": "ten minutes"}, "SESSION_COOKIE_AGE: expected an integer"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL: unknown level"),
        ({"EMAIL_URL": "pigeon://coop"}, "EMAIL_URL: scheme 'pigeon'"),
        ({"MDT_QUORUM_ROLES": "neurosurgeon,surgeon"}, "MDT_QUORUM_ROLES: unknown role(s)"),
    ],
)
def test_a_malformed_value_fails_at_start_naming_it(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = load_settings(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_off_with_a_secret_key_and_an_audit_key_starts(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY="x" * 50,
                           AUDIT_HMAC_KEY="a" * 50, SERVICE_BASE_URL="https://tb.example",
                           FHIR_CANONICAL_BASE="https://tb.example/fhir")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"


def test_development_derives_the_audit_key_from_the_secret_key(tmp_path: Path) -> None:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.AUDIT_HMAC_KEY)")

    def key(**env: str) -> str:
        clean = {k: v for k, v in os.environ.items()
                 if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY",
                              "AUDIT_HMAC_KEY"}}
        clean.update({"TUMORBOARD_VAR_DIR": str(tmp_path),
                      "DJANGO_SETTINGS_MODULE": "tumorboard.settings", **env})
        result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=clean,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    derived = key(SECRET_KEY="k" * 50)
    assert len(derived) == 64 and "k" * 10 not in derived  # not the SECRET_KEY itself
    assert derived == key(SECRET_KEY="k" * 50) != key(SECRET_KEY="j" * 50)
    assert key(AUDIT_HMAC_KEY="z" * 40) == "z" * 40
