"""The packet rendered by a real Celery worker process on PostgreSQL and Redis (CI).

POST the packet of a 30-case meeting, poll until the worker has stored it, read it back with
pypdf: every case in agenda order with its scores. The render time is printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import packet, services
from meetings.models import Packet
from tests.conftest import ServiceProcess, wait_for
from tests.factories import PatientFactory, make_mdt_case

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_30_case_packet_renders_in_a_worker_in_agenda_order(
    coordinator, neurosurgeon, breast_surgeon, oncologist, breast_team, spine_team, mdt_team,
    api_client, celery_worker_process: ServiceProcess,
) -> None:
    teams = {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}
    for index in range(30):
        patient = PatientFactory(institution=breast_surgeon.institution,
                                 family_name=f"Worker{index:02d}", mrn=f"INT{index:04d}")
        study = {"bilsky": "2"} if index % 7 == 0 else {}
        make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                      patient=patient, study=study)
    meeting = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=2), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 4",
        attendees=[breast_surgeon, oncologist])
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)

    api_client.force_authenticate(coordinator)
    started = time.monotonic()
    response = api_client.post(reverse("api-meeting-packet", args=[meeting.pk]), {},
                               format="json")
    assert response.status_code == 202 and response.json()["status"] == "pending"

    def ready() -> Packet | None:
        row = Packet.objects.get(pk=response.json()["id"])
        assert row.status != "failed", row.error
        return row if row.status == "ready" else None

    try:
        row = wait_for(ready, timeout=120, interval=0.2)
    except pytest.fail.Exception:
        pytest.fail(f"packet not rendered:\n{celery_worker_process.log()[-3000:]}",
                    pytrace=False)
    elapsed = time.monotonic() - started
    print(f"\n30-case packet: {row.page_count} pages, rendered in {row.render_seconds:.2f} s "
          f"by the worker, {elapsed:.2f} s from POST to ready")
    text = " ".join(" ".join(p.extract_text() for p in
                             PdfReader(str(packet.packet_path(row))).pages).split())
    items = list(meeting.items.select_related("case__patient").order_by("position"))
    assert len(items) == 30
    positions = [text.index(f"Item {item.position}: {item.case.patient.family_name}")
                 for item in items]
    assert positions == sorted(positions)
    # Each item carries its scores and its four NOMS questions (the pathway in words).
    assert text.count("Tokuhashi 13 of 15") == 30 and text.count("Mechanical:") >= 30
    pdf = api_client.get(reverse("api-meeting-packet-pdf", args=[meeting.pk]))
    assert pdf.status_code == 200
