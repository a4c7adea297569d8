"""The pip-audit wrapper tells an unreachable vulnerability service from a clean audit (it never
reports "clean" when nothing was checked). The checks themselves are make targets that .ci/run
calls: `make security` (bandit, high severity, and pip-audit), `make lint` (ruff, migrations,
import layers), `make typecheck` (mypy); `manage.py check` is tests/test_project_checks.py."""

from __future__ import annotations

from tests.security.pip_audit_check import UNREACHABLE, classify


def test_pip_audit_with_nothing_audited_reports_the_service_unreachable() -> None:
    report = {"dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]}
    status, message = classify(report)
    assert status == 0 and message.startswith(UNREACHABLE)


def test_pip_audit_fails_on_a_known_vulnerability() -> None:
    report = {"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2099-1"}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]}
    status, message = classify(report)
    assert status == 1 and "django 5.2.0: PYSEC-2099-1" in message


def test_pip_audit_clean_when_packages_were_really_audited() -> None:
    status, message = classify({"dependencies": [{"name": "celery", "vulns": []}]})
    assert status == 0 and "1 packages audited" in message
