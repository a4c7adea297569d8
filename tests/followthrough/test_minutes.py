"""The chair signs off the minutes of a finalized meeting, once; they are issued as a PDF (the
minutes of meetings.packet with the sign-off and the tasks), read back with pypdf."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cases.models import AuditEvent
from followthrough import minutes, services
from followthrough.models import MinutesSignoff
from tests.followthrough.conftest import decide_and_finalize
from tumorboard.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalized(session, coordinator, neurosurgeon):
    return decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon,
                               pathway="cebrt")


def _text(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_only_the_chair_signs_off_once(finalized, coordinator, neurosurgeon):
    with pytest.raises(PermissionDenied):
        services.minutes_signoff(meeting=finalized, actor=coordinator)
    signoff = services.minutes_signoff(meeting=finalized, actor=neurosurgeon, note="Agreed.")
    assert signoff.signed_by == neurosurgeon
    assert AuditEvent.objects.filter(object_type__icontains="minutessignoff",
                                     action="create").count() == 1
    with pytest.raises(Conflict):
        services.minutes_signoff(meeting=finalized, actor=neurosurgeon)
    assert MinutesSignoff.objects.count() == 1


def test_a_meeting_not_finalized_cannot_be_signed_off(session, neurosurgeon):
    with pytest.raises(ValidationError):
        services.minutes_signoff(meeting=session, actor=neurosurgeon)


def test_the_signed_minutes_pdf_reads_back(finalized, neurosurgeon, settings, tmp_path,
                                           mdt_case):
    settings.MEDIA_ROOT = tmp_path
    signoff = services.minutes_signoff(meeting=finalized, actor=neurosurgeon, note="Agreed.")
    assert minutes.minutes_issue(signoff_id=signoff.pk) is True
    assert minutes.minutes_issue(signoff_id=signoff.pk) is False  # once
    signoff.refresh_from_db()
    assert signoff.page_count >= 1 and len(signoff.sha256) == 64
    text = _text(minutes.minutes_path(signoff))
    assert "Sign-off" in text and "signed off by the chair" in text
    assert neurosurgeon.display_name in text and "Agreed." in text
    assert "Follow-through tasks" in text
    assert "Restaging MRI of the treated level" in text
    assert "Unassigned (MDT coordinators)" in text  # the radiotherapy task's queue
    assert mdt_case.patient.family_name in text  # the minutes of meetings.packet


def test_the_page_signs_off_and_serves_the_pdf(client, finalized, neurosurgeon, coordinator,
                                               outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    detail = client.get(reverse("meetings:meeting-detail", args=[finalized.pk])).content.decode()
    assert "awaiting the chair" in detail
    assert client.post(reverse("followthrough:minutes-signoff", args=[finalized.pk])
                       ).status_code == 403
    client.force_login(neurosurgeon)
    client.post(reverse("followthrough:minutes-signoff", args=[finalized.pk]), {"note": ""})
    signoff = MinutesSignoff.objects.get(meeting=finalized)
    url = reverse("followthrough:minutes-download", args=[finalized.pk])
    assert client.get(url).status_code == 404  # not issued yet
    minutes.minutes_issue(signoff_id=signoff.pk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
