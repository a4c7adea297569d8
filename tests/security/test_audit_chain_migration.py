"""Migration cases 0005 re-seals the audit trail written under the unkeyed SHA-256 chain with the
HMAC, only when that chain is intact: a trail already altered is refused, not laundered."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases import audit
from cases.models.audit import GENESIS_HASH, canonical_payload, legacy_chain_hash

BEFORE = [("cases", "0004_care_team_access")]
AFTER = [("cases", "0005_audit_chain_hmac")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _write_unkeyed_trail(apps: Any, n: int) -> None:
    event_model = apps.get_model("cases", "AuditEvent")
    chain_model = apps.get_model("cases", "AuditChain")
    prev = before = GENESIS_HASH
    for seq in range(1, n + 1):
        row = event_model(action="view", object_type="case", object_id=seq, case_id=seq,
                          at=timezone.now(), path="/cases/", outcome="ok", detail={})
        digest = legacy_chain_hash(prev, canonical_payload(row))
        row.seq, row.prev_hash, row.hash = seq, prev, digest
        row.save()
        before, prev = prev, digest
    chain_model.objects.update_or_create(
        pk=1, defaults={"length": n, "head_hash": prev, "prev_hash": before})


@pytest.mark.django_db(transaction=True)
def test_an_intact_unkeyed_trail_is_resealed_and_a_broken_one_refused() -> None:
    try:
        old_apps = _migrate(BEFORE)
        _write_unkeyed_trail(old_apps, 4)
        _migrate(AFTER)
        report = audit.audit_chain_verify()
        assert report.intact and report.checked == 4, report.problems

        old_apps = _migrate(BEFORE)  # back: the keyed chain checked, then unkeyed again
        event_model = old_apps.get_model("cases", "AuditEvent")
        event_model.objects.filter(seq=2).update(outcome="denied")
        with pytest.raises(RuntimeError, match=r"not re-sealed .*row \d+ \(seq 2\)"):
            _migrate(AFTER)
        # Nothing was re-sealed: the rows still carry their unkeyed links.
        rows = list(event_model.objects.order_by("seq"))
        assert rows[0].hash == legacy_chain_hash(GENESIS_HASH, canonical_payload(rows[0]))
    finally:
        # Empty in both states (the tables are the same), then forward again for the next test.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_auditevent")
            cursor.execute("DELETE FROM cases_auditchain")
        # Every app at its newest migration, not AFTER alone: the later ones must come back too.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
