"""Project-wide checks that must stay clean: Django's system checks, migrations, ruff."""

import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


def test_django_system_checks_pass() -> None:
    call_command("check", fail_level="WARNING")


def test_models_and_migrations_agree(db: None) -> None:
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=BASE_DIR, capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
