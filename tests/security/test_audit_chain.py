"""The audit trail's keyed chain: intact after real writes, every kind of tampering behind the
application's back detected (by the function and by `manage.py verify_audit`), two extra queries
per audit row, and no fork when writers race on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from cases import audit
from cases.models import AuditAction, AuditChain, AuditEvent
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_the_chain_is_intact_after_real_writes_and_reads(care_case, client, neurosurgeon) -> None:
    client.force_login(neurosurgeon)
    client.get(reverse("cases:case-detail", args=[care_case.pk]))
    # The read's row is sealed, not yet linked: intact, and said so.
    pending = AuditEvent.objects.filter(seq=None).count()
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
    assert pending >= 1 and any(f"{pending} read(s) sealed" in n for n in report.notes)
    assert audit.chain_pending() == pending  # beat's job
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
    count = AuditEvent.objects.count()
    assert report.checked == count > 5
    head = AuditChain.objects.get(pk=1)
    last = AuditEvent.objects.order_by("seq").last()
    assert head.length == last.seq == count and head.head_hash == last.hash
    call_command("verify_audit")  # exit status 0


@pytest.mark.parametrize("tamper", ["update", "delete_middle", "delete_last", "insert"])
def test_a_change_made_behind_the_applications_back_is_detected(care_case, tamper) -> None:
    rows = list(AuditEvent.objects.order_by("seq"))
    assert len(rows) >= 3 and audit.audit_chain_verify().intact
    table = AuditEvent._meta.db_table
    if tamper == "update":
        _sql(f"UPDATE {table} SET outcome = 'denied' WHERE id = %s", [rows[1].pk])  # noqa: S608
    elif tamper == "delete_middle":
        _sql(f"DELETE FROM {table} WHERE id = %s", [rows[1].pk])  # noqa: S608
    elif tamper == "delete_last":
        _sql(f"DELETE FROM {table} WHERE id = %s", [rows[-1].pk])  # noqa: S608
    else:
        _sql(f"INSERT INTO {table} (action, object_type, at, path, outcome, detail, "  # noqa: S608
             "prev_hash, hash) VALUES ('view', 'case', %s, '', 'ok', '{}', '', '')",
             [rows[0].at])
    report = audit.audit_chain_verify()
    assert not report.intact
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_the_trail_cannot_be_changed_through_the_application_or_the_admin(
    care_case, client, admin_person
) -> None:
    row = AuditEvent.objects.first()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.bulk_create([AuditEvent(action="view", object_type="case")])
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=row.pk).update(outcome="denied")
    client.force_login(admin_person)
    change = reverse("admin:cases_auditevent_change", args=[row.pk])
    delete = reverse("admin:cases_auditevent_delete", args=[row.pk])
    client.post(change, {"action": "list", "outcome": "denied"})
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:cases_auditevent_add")).status_code == 403
    row.refresh_from_db()
    assert row.action != "list" and AuditEvent.objects.filter(pk=row.pk).exists()
    assert audit.audit_chain_verify().intact


def test_an_audit_row_costs_two_queries_more_than_its_insert(
    care_case, breast_surgeon, django_assert_num_queries
) -> None:
    # A change, inside a transaction (as in every service): lock the head, move it, the INSERT.
    # The MAC is computed in Python between the lock and the move: in SQL the key would sit in
    # the statement text (pg_stat_activity, the server's log).
    with django_assert_num_queries(3):
        audit.record(actor=breast_surgeon, action=AuditAction.UPDATE, case=care_case,
                     object_type="case", object_id=care_case.pk)
    # A read (the read path of every page): one INSERT, sealed; beat links it to the chain.
    with django_assert_num_queries(1):
        row = audit.record_case_read(actor=breast_surgeon, case=care_case)
    assert row.seq is None and row.hash
    assert audit.audit_chain_verify().intact
    audit.chain_pending()
    row.refresh_from_db()
    assert row.seq == AuditChain.objects.get(pk=1).length


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain_on_postgresql(care_case, breast_surgeon) -> None:
    if connection.vendor != "postgresql":
        require_service("the race needs PostgreSQL (SQLite serializes every write)")
    threads, per_thread = 8, 15
    before = AuditEvent.objects.count()
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer() -> None:
        # Changes (linked in their transaction) and reads (one INSERT, linked by beat's job,
        # which a thread of its own runs meanwhile) interleaved.
        try:
            barrier.wait()
            for i in range(per_thread):
                audit.record(actor=breast_surgeon,
                             action=AuditAction.UPDATE if i % 2 else AuditAction.VIEW,
                             case=care_case, object_type="case", object_id=care_case.pk)
        except BaseException as exc:  # reported below, with the thread's own exception
            errors.append(exc)
        finally:
            connections.close_all()

    def linker() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                audit.chain_pending()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads -= 1
    barrier = threading.Barrier(threads + 1)
    pool = [threading.Thread(target=writer) for _ in range(threads)]
    pool.append(threading.Thread(target=linker))
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors
    assert AuditEvent.objects.count() == before + threads * per_thread
    audit.chain_pending()
    assert not AuditEvent.objects.filter(seq=None).exists()
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_missing_chain_head_is_rebuilt_from_the_last_row(care_case, breast_surgeon) -> None:
    # A test database flush (or a restore without it) removes the head; the next write must not
    # fail, and must continue the chain where it stands.
    _sql(f"DELETE FROM {AuditChain._meta.db_table}")  # noqa: S608
    assert not audit.audit_chain_verify().intact
    audit.record_case_read(actor=breast_surgeon, case=care_case)
    audit.chain_pending()
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
    assert AuditChain.objects.get(pk=1).length == AuditEvent.objects.count()


def test_a_read_changed_before_it_is_linked_stays_out_of_the_chain(care_case,
                                                                   breast_surgeon) -> None:
    row = audit.record_case_read(actor=breast_surgeon, case=care_case)
    other = audit.record_case_read(actor=breast_surgeon, case=care_case)
    table = AuditEvent._meta.db_table
    _sql(f"UPDATE {table} SET outcome = 'denied' WHERE id = %s", [row.pk])  # noqa: S608
    assert not audit.audit_chain_verify().intact
    assert audit.chain_pending() == 1  # the untouched one only
    row.refresh_from_db()
    other.refresh_from_db()
    assert row.seq is None and other.seq == AuditChain.objects.get(pk=1).length
    report = audit.audit_chain_verify()
    assert report.problems == [f"audit row {row.pk} is outside the chain (no seq)"]


def test_beat_links_the_reads(care_case, breast_surgeon, settings) -> None:
    from cases.tasks import audit_chain_pending
    from tumorboard.celery import app

    app.finalize()
    app.on_after_finalize.send(sender=app)
    entry = app.conf.beat_schedule["cases-audit-chain-pending"]
    assert entry["task"] == "cases.tasks.audit_chain_pending"
    assert entry["schedule"] == float(settings.AUDIT_CHAIN_SECONDS)
    app.loader.import_default_modules()
    assert "cases.tasks.audit_chain_pending" in app.tasks
    for _ in range(3):
        audit.record_case_read(actor=breast_surgeon, case=care_case)
    assert audit_chain_pending() == 3
    assert not AuditEvent.objects.filter(seq=None).exists()
