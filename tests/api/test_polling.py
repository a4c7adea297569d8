"""Polling that scales: cursor pagination with no row skipped or repeated under concurrent
inserts, ``updated_since``, ETag / If-None-Match (304) on details, and If-Match 409 intact."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case
from tests.conftest import require_service
from tests.factories import create_case


def _make(n, actor, breast_team, spine_team, mdt_team) -> list[int]:
    return [create_case(actor=actor, breast_team=breast_team, spine_team=spine_team,
                        mdt_team=mdt_team).pk for _ in range(n)]


def _follow(client, url: str) -> tuple[list[int], str]:
    """Every id along ``next``, and the ``poll`` link of the last page."""
    seen: list[int] = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        seen += [row["id"] for row in data["results"]]
        if data["next"] is None:
            return seen, data["poll"]
        url = data["next"]


@pytest.mark.django_db
def test_inserts_between_page_fetches_are_neither_skipped_nor_repeated(
        breast_surgeon, breast_team, spine_team, mdt_team) -> None:
    before = _make(7, breast_surgeon, breast_team, spine_team, mdt_team)
    client = APIClient()
    client.force_authenticate(breast_surgeon)
    first = client.get(reverse("api-cases"), {"page_size": 3}).json()
    seen = [row["id"] for row in first["results"]]
    inserted = _make(2, breast_surgeon, breast_team, spine_team, mdt_team)  # between fetches
    rest, poll = _follow(client, first["next"])
    seen += rest
    assert sorted(seen) == sorted(before + inserted)
    assert len(seen) == len(set(seen))
    later = _make(1, breast_surgeon, breast_team, spine_team, mdt_team)
    assert [row["id"] for row in client.get(poll).json()["results"]] == later


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_from_another_thread_on_postgresql(
        breast_surgeon, breast_team, spine_team, mdt_team) -> None:
    if connection.vendor != "postgresql":
        require_service("needs PostgreSQL (real concurrent writers)")
    before = _make(10, breast_surgeon, breast_team, spine_team, mdt_team)
    inserted: list[int] = []

    def writer() -> None:
        try:
            for _ in range(10):
                inserted.extend(_make(1, breast_surgeon, breast_team, spine_team, mdt_team))
                time.sleep(0.01)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    client = APIClient()
    client.force_authenticate(breast_surgeon)
    thread.start()
    seen, poll = _follow(client, reverse("api-cases") + "?page_size=2")
    thread.join()
    while True:  # then poll until nothing new
        data = client.get(poll).json()
        if not data["results"]:
            break
        seen += [row["id"] for row in data["results"]]
        poll = data["poll"]
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert sorted(seen) == sorted(before + inserted), "a row was skipped"


@pytest.mark.django_db
def test_updated_since_and_bad_cursors_or_sizes_are_400(api_client, care_case, breast_surgeon):
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-cases")
    assert api_client.get(url, {"updated_since": "2100-01-01T00:00:00Z"}).json()["results"] == []
    assert len(api_client.get(url, {"updated_since": "2000-01-01T00:00:00Z"})
               .json()["results"]) == 1
    assert "updated_since" in api_client.get(url, {"updated_since": "yesterday"}).json()
    assert "cursor" in api_client.get(url, {"cursor": "garbage!"}).json()
    assert "page_size" in api_client.get(url, {"page_size": "0"}).json()
    for name in ("api-referrals", "api-meetings", "api-alerts"):
        bad = api_client.get(reverse(name), {"updated_since": "yesterday"})
        assert bad.status_code == 400 and "updated_since" in bad.json(), name


@pytest.mark.django_db
def test_details_send_an_etag_and_answer_304_until_the_row_changes(
        api_client, care_case, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-case", args=[care_case.pk])
    first = api_client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert api_client.get(url, HTTP_IF_NONE_MATCH=f'W/{etag}').status_code == 304
    changed = api_client.patch(url, {"kps": 70, "version": care_case.version}, format="json")
    assert changed.status_code == 200
    fresh = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


@pytest.mark.django_db
def test_if_match_with_a_stale_version_is_still_a_409(api_client, care_case, breast_surgeon):
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-case", args=[care_case.pk])
    assert api_client.patch(url, {"kps": 70}, format="json",
                            HTTP_IF_MATCH=str(care_case.version)).status_code == 200
    stale = api_client.patch(url, {"kps": 60}, format="json",
                             HTTP_IF_MATCH=str(care_case.version))
    assert stale.status_code == 409
    assert Case.objects.get(pk=care_case.pk).kps == 70


@pytest.mark.django_db
def test_every_detail_endpoint_honours_if_none_match(api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    for url in [reverse("api-referral", args=[world.referral.pk]),
                reverse("api-meeting", args=[world.meeting.pk]),
                reverse("api-case-fhir", args=[world.case.pk]),
                reverse("api-fhir-careplan", args=[world.decision.pk])]:
        etag = api_client.get(url)["ETag"]
        assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
