"""Patient data is never kept by a browser's or a proxy's cache: ``Cache-Control: no-store`` on
every answer to a signed-in user or an API token (pages, API, FHIR, PDF, ICS). Every route is
checked by the access matrix (test_access_matrix.py); these are the kinds one by one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.tokens import token_create
from tests.api.conftest import token_client, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response.get(
        "Cache-Control", "")


def test_pages_api_fhir_and_calendar_answers_are_not_stored(client, world, breast_surgeon,
                                                            coordinator) -> None:
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[world.case.pk]))
    assert page.status_code == 200 and _no_store(page)
    ics = client.get(reverse("meetings:ics", args=[world.meeting.pk]))
    assert ics.status_code == 200 and _no_store(ics)
    _, raw = token_create(user=breast_surgeon, name="cache")
    api = token_client(raw)
    for url in (reverse("api-case", args=[world.case.pk]),
                reverse("api-case-fhir", args=[world.case.pk]),
                reverse("api-meeting-ics", args=[world.meeting.pk])):
        response = api.get(url)
        assert response.status_code == 200 and _no_store(response), url


def test_a_meeting_packet_pdf_is_not_stored(client, world, coordinator, tmp_path,
                                            settings) -> None:
    from meetings import packet, services

    settings.MEDIA_ROOT = tmp_path
    row = services.packet_request(meeting=world.meeting, kind="packet", actor=coordinator)
    assert packet.packet_render(packet_id=row.pk) is True
    client.force_login(coordinator)
    response = client.get(reverse("meetings:packet-download", args=[world.meeting.pk, "packet"]))
    assert response.status_code == 200 and _no_store(response)


def test_anonymous_pages_and_static_files_keep_their_caching(client) -> None:
    login = client.get(reverse("login"))
    assert login.status_code == 200  # never_cache of its own, as before
    assert "no-store" not in client.get("/static/does-not-exist.css").get("Cache-Control", "")
