"""HL7 v2 ADT in: real MLLP frames over loopback to the listener running in a thread (and, once,
to ``manage.py adt_listener`` in its own process). A01/A04/A08 create or update by MRN and
assigning authority, A40 merges, duplicates change nothing, refused messages change nothing and
the ACK names the segment and field; the logs never carry patient data."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from cases.models import AuditEvent, Case, Patient
from integrations.adt.listener import make_server
from integrations.models import AdtMessage
from tests.conftest import database_url_for_subprocess
from tests.factories import InstitutionFactory, create_case
from tests.integrations.adt_feed import Mllp, adt, fields
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(settings: Any) -> Iterator[int]:
    settings.ADT_READ_TIMEOUT = 2
    settings.ADT_USERNAME = "adt-test-feed"
    InstitutionFactory(code="test-hospital")
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def feed(listener: int) -> Iterator[Mllp]:
    client = Mllp(listener)
    yield client
    client.close()


def test_a01_creates_the_patient_and_acks_aa(feed: Mllp, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    reply = fields(feed.send(adt("A01", "CTRL-1", mrn="MRN100", family="Quill")))
    assert reply["MSA"][1:3] == ["AA", "CTRL-1"]
    assert reply["MSH"][8].startswith("ACK")
    patient = Patient.objects.get(mrn="MRN100")
    assert (patient.family_name, patient.given_name, str(patient.birth_date), patient.sex) == (
        "Quill", "Jane", "1970-01-02", "female")
    assert patient.institution.code == "test-hospital"
    row = AuditEvent.objects.get(object_type="patient", object_id=patient.pk, action="create")
    assert row.actor.role == Role.INTEGRATION and row.actor.username == "adt-test-feed"
    assert row.detail["event"] == "A01"
    assert AdtMessage.objects.get(control_id="CTRL-1").patient_id == patient.pk
    assert "Quill" not in caplog.text and "MRN100" not in caplog.text


def test_a04_registers_and_a08_updates_by_mrn_and_authority(feed: Mllp) -> None:
    assert fields(feed.send(adt("A04", "R-1", mrn="MRN200")))["MSA"][1] == "AA"
    reply = fields(feed.send(adt("A08", "U-1", mrn="mrn200", family="Renamed", sex="U")))
    assert reply["MSA"][1] == "AA"
    patient = Patient.objects.get()
    assert (patient.family_name, patient.sex) == ("Renamed", "unknown")
    update = AuditEvent.objects.get(object_id=patient.pk, action="update")
    assert sorted(update.detail["fields"]) == ["family_name", "sex"]


def test_a_duplicate_control_id_changes_nothing(feed: Mllp) -> None:
    assert fields(feed.send(adt("A01", "DUP-1", mrn="MRN300")))["MSA"][1] == "AA"
    audit_rows = AuditEvent.objects.count()
    reply = fields(feed.send(adt("A01", "DUP-1", mrn="MRN300", family="Changed")))
    assert reply["MSA"][1:3] == ["AA", "DUP-1"]
    assert "duplicate" in reply["MSA"][3]
    assert Patient.objects.get().family_name == "Doe"
    assert AuditEvent.objects.count() == audit_rows
    assert AdtMessage.objects.count() == 1


def test_a40_merge_moves_every_case_to_the_surviving_mrn(
        listener: int, breast_surgeon: Any, teams: Any) -> None:
    feed = Mllp(listener)
    feed.send(adt("A01", "M-1", mrn="KEEP-1"))
    feed.send(adt("A01", "M-2", mrn="OLD-1"))
    keep, old = Patient.objects.get(mrn="KEEP-1"), Patient.objects.get(mrn="OLD-1")
    breast_surgeon.institution = keep.institution
    breast_surgeon.save()
    first = create_case(actor=breast_surgeon, patient=keep, **teams)
    second = create_case(actor=breast_surgeon, patient=old, **teams)
    third = create_case(actor=breast_surgeon, patient=old, **teams)
    reply = fields(feed.send(adt("A40", "M-3", mrn="KEEP-1", prior="OLD-1")))
    feed.close()
    assert reply["MSA"][1] == "AA", reply
    assert set(Case.objects.filter(patient=keep).values_list("pk", flat=True)) == {
        first.pk, second.pk, third.pk}
    assert not Patient.objects.filter(pk=old.pk).exists()
    moved = AuditEvent.objects.filter(action="update", object_type="case",
                                      detail__merged_from_patient=old.pk)
    assert sorted(moved.values_list("case_id", flat=True)) == sorted([second.pk, third.pk])


def test_a40_with_an_unknown_surviving_mrn_renames_the_prior_patient(feed: Mllp) -> None:
    feed.send(adt("A01", "N-1", mrn="OLD-2"))
    old = Patient.objects.get()
    assert fields(feed.send(adt("A40", "N-2", mrn="NEW-2", prior="OLD-2")))["MSA"][1] == "AA"
    old.refresh_from_db()
    assert old.mrn == "NEW-2"


def test_a40_of_an_unknown_prior_patient_is_ae_and_changes_nothing(feed: Mllp) -> None:
    feed.send(adt("A01", "P-1", mrn="KEEP-3"))
    before = AuditEvent.objects.count()
    reply = fields(feed.send(adt("A40", "P-2", mrn="KEEP-3", prior="NOBODY")))
    assert reply["MSA"][1] == "AE"
    assert reply["ERR"][2] == "MRG^1^1"
    assert AuditEvent.objects.count() == before
    assert not AdtMessage.objects.filter(control_id="P-2").exists()


def test_a40_across_institutions_is_ae(feed: Mllp) -> None:
    InstitutionFactory(code="other-hospital", name="Other")
    feed.send(adt("A01", "I-1", mrn="KEEP-4"))
    feed.send(adt("A01", "I-2", mrn="OLD-4", authority="OTHER-HOSPITAL"))
    message = adt("A40", "I-3", mrn="KEEP-4", prior="OLD-4").replace(
        "MRG|OLD-4^^^TEST-HOSPITAL", "MRG|OLD-4^^^OTHER-HOSPITAL")
    reply = fields(feed.send(message))
    assert reply["MSA"][1] == "AE" and reply["ERR"][2] == "MRG^1^1^1^4"
    assert Patient.objects.count() == 2


def test_the_adt_principal_is_an_integration_client_that_sees_no_case(
        feed: Mllp, breast_surgeon: Any, teams: Any) -> None:
    from cases.access import case_list_visible_to
    from tumorboard.models import User

    feed.send(adt("A01", "V-1", mrn="SEEN-1"))
    patient = Patient.objects.get()
    breast_surgeon.institution = patient.institution
    breast_surgeon.save()
    create_case(actor=breast_surgeon, patient=patient, **teams)
    principal = User.objects.get(username="adt-test-feed")
    assert principal.role == Role.INTEGRATION and not principal.has_usable_password()
    assert not case_list_visible_to(user=principal).exists()


@pytest.mark.parametrize(("message", "code", "where"), [
    (adt("A01", "E-1", mrn="X1", birth=""), "AE", "PID^1^7"),
    (adt("A01", "E-2", mrn="X2", birth="19701399"), "AE", "PID^1^7"),
    (adt("A01", "E-3", mrn="X3", family=""), "AE", "PID^1^5^1^1"),
    (adt("A01", "E-4", mrn="X4", sex="Q"), "AE", "PID^1^8"),
    (adt("A01", "E-5", mrn="X5", authority="ELSEWHERE"), "AE", "PID^1^3^1^4"),
    (adt("A01", "E-6", mrn=""), "AE", "PID^1^3^1^1"),
    (adt("A40", "E-7", mrn="X7"), "AE", "MRG"),
    (adt("R01", "E-8", mrn="X8", kind="ORU"), "AR", "MSH^1^9"),
    (adt("A03", "E-9", mrn="X9"), "AR", "MSH^1^9"),
    (adt("A01", "E-10", mrn="X10", version="3.0"), "AR", "MSH^1^12"),
    (adt("A01", "", mrn="X11"), "AR", "MSH^1^10"),
])
def test_a_malformed_message_is_refused_naming_segment_and_field(
        feed: Mllp, message: str, code: str, where: str) -> None:
    reply = fields(feed.send(message))
    assert reply["MSA"][1] == code
    assert reply["MSA"][3]  # the reason
    assert reply["ERR"][2].startswith(where.split("^1^1")[0] if where == "MRG" else where)
    assert not Patient.objects.exists()
    assert not AdtMessage.objects.exists()
    assert not AuditEvent.objects.filter(object_type="patient").exists()


def test_framed_garbage_is_ar_and_the_connection_goes_on(feed: Mllp) -> None:
    reply = fields(feed.send("this is not HL7 at all"))
    assert reply["MSA"][1] == "AR" and "MSH" in reply["MSA"][3]
    assert fields(feed.send(adt("A01", "G-1", mrn="G1")))["MSA"][1] == "AA"
    assert Patient.objects.count() == 1


def test_unframed_bytes_are_dropped_and_the_next_frame_is_answered(feed: Mllp) -> None:
    feed.send_raw(b"\x00\xffGET / HTTP/1.1\r\n\r\n")
    assert fields(feed.send(adt("A01", "G-2", mrn="G2")))["MSA"][1:3] == ["AA", "G-2"]


def test_a_truncated_frame_is_never_applied(listener: int) -> None:
    cut = Mllp(listener)
    cut.send_raw(b"\x0b" + adt("A01", "T-1", mrn="T1").encode()[:60])
    cut.close()  # closed mid-frame
    # A truncated frame followed by a whole one on the same connection: only the whole one.
    feed = Mllp(listener)
    feed.send_raw(b"\x0b" + adt("A01", "T-2", mrn="T2").encode()[:70])
    reply = fields(feed.send(adt("A01", "T-3", mrn="T3")))
    feed.close()
    assert reply["MSA"][1:3] == ["AA", "T-3"]
    assert list(Patient.objects.values_list("mrn", flat=True)) == ["T3"]
    assert list(AdtMessage.objects.values_list("control_id", flat=True)) == ["T-3"]


def test_a_frame_left_open_times_out_without_a_change(listener: int) -> None:
    feed = Mllp(listener, timeout=10)
    feed.send_raw(b"\x0b" + adt("A01", "T-9", mrn="T9").encode())  # no end block
    assert feed.sock.recv(10) == b""  # the listener closes it after ADT_READ_TIMEOUT
    feed.close()
    assert not Patient.objects.exists()


@pytest.mark.integration
def test_the_management_command_listens_in_its_own_process(db: None) -> None:
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the listener process needs the PostgreSQL test database")
    InstitutionFactory(code="test-hospital")
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(),
           "ADT_USERNAME": "adt-process"}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "adt_listener", "--host", "127.0.0.1", "--port", "0"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = int(line.rsplit(":", 1)[1])
        feed = Mllp(port)
        reply = fields(feed.send(adt("A01", "PROC-1", mrn="PROC1")))
        feed.close()
        assert reply["MSA"][1] == "AA"
        assert Patient.objects.filter(mrn="PROC1").exists()
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
