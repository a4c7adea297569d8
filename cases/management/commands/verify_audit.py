"""Check the audit trail's hash chain; exit non-zero when a row was changed, removed or slipped in.

Run it from cron or a monitoring probe: `manage.py verify_audit` prints the number of rows checked
and, on a break, each problem (row ids only) on stderr with exit status 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain (exit status 1 when it was tampered with)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.intact:
            for line in report.problems:
                self.stderr.write(line)
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s) in "
                               f"{report.checked} rows")
        self.stdout.write(f"audit chain intact: {report.checked} rows")
