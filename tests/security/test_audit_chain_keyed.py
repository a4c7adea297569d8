"""The audit chain is keyed (HMAC-SHA256 under AUDIT_HMAC_KEY, which the database never holds),
and beat checkpoints its head outside the database, so that someone with SQL access can neither
rewrite a row and recompute the chain nor cut off its tail with the head row (issue 15, point 7).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases import audit
from cases.audit_checkpoint import audit_checkpoint_write, checkpoint_read
from cases.models import AuditChain, AuditEvent
from cases.models.audit import GENESIS_HASH, canonical_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "checkpoint.json"
    settings.AUDIT_CHECKPOINT_FILE = path
    return path


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("seq"))


def _write_more(actor: Any, case: Any, n: int) -> None:
    for _ in range(n):
        audit.record_case_read(actor=actor, case=case)
    audit.chain_pending()  # beat's job: reads are linked out of the request


def test_each_link_is_an_hmac_under_the_key_not_a_plain_sha256(care_case, settings) -> None:
    first = _rows()[0]
    payload = canonical_payload(first)
    assert first.prev_hash == GENESIS_HASH
    assert first.hash != hashlib.sha256((GENESIS_HASH + payload).encode()).hexdigest()
    # Under another key the same trail does not verify: the key is what proves it.
    assert audit.audit_chain_verify().intact
    settings.AUDIT_HMAC_KEY = "another-key-" + "x" * 40
    assert not audit.audit_chain_verify().intact


def test_a_row_rewritten_with_a_recomputed_plain_sha256_chain_is_detected(care_case) -> None:
    """The forgery an unkeyed chain let through: change a row, recompute every hash after it
    and the head, all in SQL."""
    rows = _rows()
    assert len(rows) >= 3 and audit.audit_chain_verify().intact
    table, head_table = AuditEvent._meta.db_table, AuditChain._meta.db_table
    _sql(f"UPDATE {table} SET outcome = 'denied' WHERE id = %s", [rows[1].pk])  # noqa: S608
    prev = rows[0].hash
    for row in rows[1:]:
        row.refresh_from_db()
        digest = hashlib.sha256((prev + canonical_payload(row)).encode()).hexdigest()
        _sql(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
             [prev, digest, row.pk])
        before, prev = prev, digest
    _sql(f"UPDATE {head_table} SET head_hash = %s, prev_hash = %s WHERE id = 1",  # noqa: S608
         [prev, before])
    report = audit.audit_chain_verify()
    assert not report.intact
    assert f"audit row {rows[1].pk} (seq {rows[1].seq}) was changed" in report.problems[0]
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_deleting_the_tail_and_the_head_row_is_detected_by_the_checkpoint(
    care_case, breast_surgeon, checkpoint_file: Path, capsys: Any
) -> None:
    _write_more(breast_surgeon, care_case, 3)
    checkpoint = audit_checkpoint_write()
    assert checkpoint is not None and checkpoint.seq == AuditEvent.objects.count()
    assert checkpoint_read(checkpoint_file) == checkpoint
    call_command("verify_audit")
    assert "matches the audit checkpoint" in capsys.readouterr().out
    last_kept = checkpoint.seq - 2
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s",  # noqa: S608
         [last_kept])
    _sql(f"DELETE FROM {AuditChain._meta.db_table}")  # noqa: S608
    # The next write rebuilds the head from the last row left: the chain itself looks intact.
    _write_more(breast_surgeon, care_case, 1)
    assert AuditChain.objects.get(pk=1).length == last_kept + 1
    report = audit.audit_chain_verify()
    assert not report.intact
    assert report.problems == [
        f"audit row seq {checkpoint.seq - 1} differs from the checkpoint of {checkpoint.at}: "
        "the chain was rewritten"] or report.problems == [
        f"the chain has no row seq {checkpoint.seq}, which the checkpoint of {checkpoint.at} "
        "saw: rows were removed from the end"]
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_a_chain_shorter_than_the_checkpoint_is_reported_as_cut(
    care_case, breast_surgeon
) -> None:
    checkpoint = audit_checkpoint_write()
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq >= %s",  # noqa: S608
         [checkpoint.seq - 1])
    _sql(f"DELETE FROM {AuditChain._meta.db_table}")  # noqa: S608
    report = audit.audit_chain_verify()
    assert any(f"no row seq {checkpoint.seq}" in line and "removed from the end" in line
               for line in report.problems), report.problems


def test_the_checkpoint_goes_to_the_json_log_and_never_over_a_break(
    care_case, breast_surgeon, checkpoint_file: Path, caplog: Any
) -> None:
    with caplog.at_level(logging.INFO, logger="cases.audit_checkpoint"):
        first = audit_checkpoint_write()
    line = next(r for r in caplog.records if r.getMessage() == "audit checkpoint")
    assert (line.audit_seq, line.audit_mac) == (first.seq, first.mac)  # type: ignore[attr-defined]
    saved = checkpoint_file.read_text()
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [first.seq])  # noqa: S608
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="cases.audit_checkpoint"):
        assert audit_checkpoint_write() is None
    assert any(r.levelno == logging.ERROR and "removed from the end" in r.getMessage()
               for r in caplog.records)
    assert checkpoint_file.read_text() == saved  # kept as the evidence


def test_an_edited_checkpoint_file_is_refused(care_case, checkpoint_file: Path) -> None:
    checkpoint = audit_checkpoint_write()
    data = json.loads(checkpoint_file.read_text())
    data["seq"] = checkpoint.seq - 1
    checkpoint_file.write_text(json.dumps(data))
    report = audit.audit_chain_verify()
    assert not report.intact and "signature does not fit" in report.problems[0]


def test_verify_says_so_when_there_is_no_checkpoint_yet(care_case, capsys: Any) -> None:
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "no audit checkpoint to compare with yet" in out and "audit chain intact" in out


def test_verify_takes_a_checkpoint_file_given_on_the_command_line(
    care_case, breast_surgeon, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "from-the-log.json"
    checkpoint = audit_checkpoint_write(path=elsewhere)
    _sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s",  # noqa: S608
         [checkpoint.seq])
    _sql(f"UPDATE {AuditChain._meta.db_table} SET length = length - 1, "  # noqa: S608
         "head_hash = prev_hash WHERE id = 1")
    call_command("verify_audit")  # the default file holds no checkpoint: cannot tell
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit", "--checkpoint", str(elsewhere))
    # The JSON log line, saved as a file, serves as well.
    log_line = tmp_path / "log-line.json"
    log_line.write_text(json.dumps({"message": "audit checkpoint", "audit_seq": checkpoint.seq,
                                    "audit_mac": checkpoint.mac, "audit_at": checkpoint.at,
                                    "audit_sig": checkpoint.sig}))
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit", "--checkpoint", str(log_line))


def test_the_checkpoint_is_a_beat_job() -> None:
    from django.conf import settings

    from tumorboard.celery import app

    app.finalize()
    app.on_after_finalize.send(sender=app)
    entry = app.conf.beat_schedule["cases-audit-checkpoint"]
    assert entry["task"] == "cases.tasks.audit_checkpoint"
    assert entry["schedule"] == float(settings.AUDIT_CHECKPOINT_SECONDS)
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert "cases.tasks.audit_checkpoint" in app.tasks


def test_the_beat_task_writes_the_checkpoint(care_case, checkpoint_file: Path) -> None:
    from cases.tasks import audit_checkpoint

    seq = audit_checkpoint.apply().get()
    assert seq == AuditEvent.objects.count()
    assert checkpoint_read(checkpoint_file).seq == seq
