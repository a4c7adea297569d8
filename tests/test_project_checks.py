"""Project-wide checks that must stay clean: Django's system checks. ruff, the migrations check
and the import layers are `make lint`; mypy is `make typecheck` (both run by .ci/run)."""

from django.core.management import call_command


def test_django_system_checks_pass() -> None:
    call_command("check", fail_level="WARNING")
