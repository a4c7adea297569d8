"""The packet PDF, rendered by the service the worker runs, read back with pypdf; the .ics."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.models import AuditEvent
from meetings import ical, packet, selectors, services
from meetings.models import Packet
from tests.factories import PatientFactory, make_mdt_case, on_its_day
from tests.meetings.conftest import mark_all_present

pytestmark = pytest.mark.django_db


def _text(path) -> str:
    """The PDF's text with whitespace normalised (table cells wrap lines anywhere)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def _cases(breast_surgeon, neurosurgeon, teams, names):
    cases = []
    for index, name in enumerate(names):
        patient = PatientFactory(institution=breast_surgeon.institution, family_name=name,
                                 mrn=f"PKT{index:04d}")
        study = {"bilsky": "2"} if index == 1 else {}
        cases.append(make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                                   teams=teams, patient=patient, study=study))
    return cases


def test_the_packet_holds_every_case_in_agenda_order_with_scores_and_nothing_else(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    _cases(breast_surgeon, neurosurgeon, teams, ["Alderton", "Brightwell", "Cavendish"])
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    canary = PatientFactory(institution=breast_surgeon.institution, family_name="Canaryfield",
                            mrn="CANARY-999")
    make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                  patient=canary)  # eligible, visible to the coordinator, not on this agenda

    row = services.packet_request(meeting=meeting, kind="packet", actor=coordinator)
    assert packet.packet_render(packet_id=row.pk) is True
    assert packet.packet_render(packet_id=row.pk) is False  # idempotent: already done

    row.refresh_from_db()
    assert row.status == "ready" and row.page_count >= 4 and len(row.sha256) == 64
    assert re.fullmatch(r"packets/[0-9a-f]{32}\.pdf", row.file)
    text = _text(packet.packet_path(row))
    order = [item.case.patient.family_name for item in
             selectors.items_visible_to(user=coordinator, meeting=meeting)]
    assert order[0] == "Brightwell"  # orange (Bilsky 2) before the green ones
    sections = [text.index(f"Item {n}: {name}") for n, name in enumerate(order, start=1)]
    assert sections == sorted(sections)
    for name in order:
        assert name in text
    for needle in ("SINS 9", "Bilsky 2", "Tokuhashi 13", "Tomita 3", "(cEBRT)",
                   "Separation surgery then SRS", "Surgery candidacy", "Referral history",
                   "Page 1 of", "CONFIDENTIAL", "PKT0000"):
        assert needle in text, needle
    assert "Canaryfield" not in text and "CANARY-999" not in text
    assert set(row.case_ids) == {item.case_id for item in meeting.items.all()}


def test_a_clinicians_packet_holds_only_the_cases_they_may_see(
        meeting, coordinator, breast_surgeon, neurosurgeon, oncologist, teams, settings,
        tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    from tests.factories import UserFactory

    seen, unseen = _cases(breast_surgeon, neurosurgeon, teams, ["Seenby", "Hiddenfrom"])
    # Not invited (an attendee sees the whole agenda): sees the meeting through one case only.
    outsider = UserFactory(username="medonc-outside", role="medical_oncologist")
    seen.oncologists.add(outsider)  # access follows the row itself (cases.access)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    row = services.packet_request(meeting=meeting, kind="packet", actor=outsider)
    packet.packet_render(packet_id=row.pk)
    row.refresh_from_db()
    text = _text(packet.packet_path(row))
    assert row.case_ids == [seen.pk]
    assert "Seenby" in text and "Hiddenfrom" not in text and unseen.patient.mrn not in text
    assert "1 other agenda item is not in this packet" in text


def test_the_minutes_add_each_decision(meeting, coordinator, neurosurgeon, mdt_case, settings,
                                       tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    mark_all_present(meeting, coordinator)
    item = meeting.items.get()
    services.decision_record(item=item, actor=coordinator, pathway="srs",
                             rationale="Oligometastatic, prefers SRS.", responsible=neurosurgeon,
                             override_reason="Patient choice after counselling.")
    services.meeting_finalize(meeting=meeting, actor=coordinator)
    row = services.packet_request(meeting=meeting, kind="minutes", actor=coordinator)
    packet.packet_render(packet_id=row.pk)
    row.refresh_from_db()
    text = _text(packet.packet_path(row))
    assert "Decision: SRS (stereotactic radiosurgery)" in text
    assert "Patient choice after counselling." in text
    assert "Quorum: met" in text


def test_the_packet_endpoints_answer_202_then_409_then_the_pdf_with_an_export_audit(
        meeting, coordinator, mdt_case, api_client, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.agenda_populate(meeting=meeting, actor=coordinator)
    api_client.force_authenticate(coordinator)
    pdf_url = reverse("api-meeting-packet-pdf", args=[meeting.pk])
    assert api_client.get(pdf_url).status_code == 404
    response = api_client.post(reverse("api-meeting-packet", args=[meeting.pk]), {},
                               format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["status_url"]
    assert api_client.get(pdf_url).status_code == 409
    packet.packet_render(packet_id=Packet.objects.get().pk)
    status = api_client.get(reverse("api-meeting-packet", args=[meeting.pk])).json()
    assert status["status"] == "ready" and status["download_url"]
    pdf = api_client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    export = AuditEvent.objects.filter(action="export").get()
    assert export.case_ids == [mdt_case.pk] and export.actor == coordinator


def test_the_renderer_fetches_nothing_but_the_shipped_fonts() -> None:
    fetcher = packet._fetcher()
    font = (packet.FONTS_DIR / "DejaVuSans.ttf").resolve().as_uri()
    assert fetcher(font).read(4) == b"\x00\x01\x00\x00"
    for url in ("http://127.0.0.1:8000/static/css/app.css", "https://example.org/font.ttf",
                "file:///etc/passwd", font.replace("DejaVuSans.ttf", "../css/app.css")):
        with pytest.raises(ValueError):
            fetcher(url)


# --- the calendar ---------------------------------------------------------------------------


def _unfold(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # CRLF line endings only
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _parse(lines: list[str]) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in lines:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        parsed.append((name, dict(p.split("=", 1) for p in params), value))
    return parsed


def test_the_ics_parses_and_carries_the_attendees_with_their_roles(
        meeting, coordinator, neurosurgeon, breast_surgeon, oncologist, api_client) -> None:
    meeting.title = "Spine MDT; weekly, with a very long title that has to be folded " * 2
    meeting.save()
    api_client.force_authenticate(breast_surgeon)
    response = api_client.get(reverse("api-meeting-ics", args=[meeting.pk]))
    assert response.status_code == 200
    # An invitation: the method in the media type too (RFC 6047 §2.4), as on the page.
    assert response["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    from django.test import Client

    page = Client()
    page.force_login(breast_surgeon)
    answer = page.get(reverse("meetings:ics", args=[meeting.pk]))
    assert answer["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    lines = _unfold(response.content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    props = _parse(lines)
    names = [name for name, _, _ in props]
    assert names.count("BEGIN") == names.count("END") == 2
    values = {name: value for name, _, value in props}
    assert re.fullmatch(r"\d{8}T\d{6}Z", values["DTSTART"]) and values["DTEND"] > values["DTSTART"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", values["DTSTAMP"])
    assert values["SUMMARY"].startswith("Spine MDT\\; weekly\\, with")
    attendees = {value: params for name, params, value in props if name == "ATTENDEE"}
    assert attendees[f"mailto:{neurosurgeon.email}"]["ROLE"] == "CHAIR"
    assert attendees[f"mailto:{breast_surgeon.email}"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees[f"mailto:{oncologist.email}"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees[f"mailto:{coordinator.email}"]["ROLE"] == "OPT-PARTICIPANT"
    assert all(p["PARTSTAT"] == "NEEDS-ACTION" for p in attendees.values())
    organizer = next(value for name, _, value in props if name == "ORGANIZER")
    assert organizer == f"mailto:{coordinator.email}"


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_the_invitation_email_carries_the_ics_once(meeting, mailoutbox) -> None:
    from meetings.invitations import invitations_send

    sent = invitations_send(meeting_id=meeting.pk)
    assert sent == 4 and len(mailoutbox) == 4
    assert invitations_send(meeting_id=meeting.pk) == 0
    name, content, mimetype = mailoutbox[0].attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in (content if isinstance(content, str) else content.decode())


def test_asking_again_for_a_packet_stuck_pending_sends_it_again(
        meeting, coordinator, mdt_case, django_capture_on_commit_callbacks) -> None:
    import datetime as dt

    from django.utils import timezone

    row = services.packet_request(meeting=meeting, kind="packet", actor=coordinator)
    with django_capture_on_commit_callbacks() as fresh:
        services.packet_request(meeting=meeting, kind="packet", actor=coordinator)
    assert fresh == []  # still fresh: not sent twice
    Packet.objects.filter(pk=row.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks() as stale:
        again = services.packet_request(meeting=meeting, kind="packet", actor=coordinator)
    assert again.pk == row.pk and len(stale) == 1
