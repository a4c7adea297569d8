"""Static checks: bandit finds nothing of high severity, and the pip-audit wrapper tells an
unreachable vulnerability service from a clean audit (it never reports "clean" when nothing was
checked). ruff, mypy and `manage.py check` run in tests/test_project_checks.py and `make
typecheck`; `make security` runs bandit and pip-audit in CI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.security.pip_audit_check import UNREACHABLE, classify

BASE_DIR = Path(__file__).resolve().parents[2]


def test_bandit_finds_no_high_severity_issue() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", ".", "-x", "./.venv,./var", "-lll",
         "-f", "json"],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    assert report["metrics"]["_totals"]["loc"] > 10000  # it really scanned the tree
    high = [(r["filename"], r["line_number"], r["test_id"]) for r in report["results"]]
    assert high == [] and done.returncode == 0


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
