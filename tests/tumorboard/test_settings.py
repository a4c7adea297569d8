"""Settings come from the environment; a malformed value stops the start with its name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "EMAIL_URL"}}
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


def test_debug_off_with_a_secret_key_starts(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"
