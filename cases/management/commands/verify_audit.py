"""Check the audit trail's keyed chain; exit non-zero when a row was changed, removed or slipped in.

Run it from cron or a monitoring probe: `manage.py verify_audit` prints the number of rows checked
and, on a break, each problem (row ids only) on stderr with exit status 1. It compares the chain
with the latest checkpoint beat wrote outside the database (``AUDIT_CHECKPOINT_FILE``, or the file
given with ``--checkpoint``), which catches the newest rows removed together with the head row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's keyed chain (exit status 1 when it was tampered with)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", type=Path, default=None,
                            help="a checkpoint file (default AUDIT_CHECKPOINT_FILE)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify(checkpoint_file=options["checkpoint"])
        for line in report.notes:
            self.stdout.write(line)
        if not report.intact:
            for line in report.problems:
                self.stderr.write(line)
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s) in "
                               f"{report.checked} rows")
        self.stdout.write(f"audit chain intact: {report.checked} rows")
