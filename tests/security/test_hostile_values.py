"""Each class of bad input the penetration test found (issue 16), one example of every member:
a 4xx naming the parameter, never a 500, and no error body quoting the value. The property-based
sweep over every route is test_url_fuzz.py."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)  # autocommit, as in production

BIG = "1" + "0" * 25


def _cursor(at: str, pk: object) -> str:
    return base64.urlsafe_b64encode(json.dumps([at, pk]).encode()).decode().rstrip("=")


CLINICIAN = [
    # Offsets PostgreSQL refuses, and dates that leave the calendar once shifted to UTC.
    ("/api/v1/cases/?updated_since=2026-01-01T00:00:00%2B23:59", {200}),
    ("/api/v1/cases/?updated_since=0001-01-01T00:00:00%2B23:59", {400}),
    ("/api/v1/cases/?updated_since=9999-12-31T23:59:59-23:59", {400}),
    ("/api/v1/referrals/?updated_since=9999-12-31T23:59:59-23:59", {400}),
    ("/api/v1/alerts/?updated_since=0001-01-01T00:00:00%2B23:59", {400}),
    ("/api/v1/cases/?cursor=" + _cursor("9999-12-31T23:59:59-23:59", 1), {400}),
    ("/api/v1/cases/?cursor=" + _cursor("0001-01-01T00:00:00+23:59", 1), {400}),
    ("/api/v1/cases/?cursor=" + _cursor("2026-01-01T00:00:00+23:59", 1), {200}),
    ("/api/v1/referrals/?cursor=" + _cursor("2026-01-01T00:00:00+00:00", 2**70), {400}),
    # Lone surrogates (as UTF-8 bytes) and unknown values in choice filters: no echo.
    ("/api/v1/cases/?phase=%ED%A0%80Zq7x", {400}),
    ("/api/v1/referrals/?status=Zq7x%3Cscript%3E", {400}),
    # NUL in query strings.
    ("/api/v1/cases/?phase=Zq7x%00", {400}),
    ("/cases/?q=Zq7x%00", {400}),
    ("/referrals/?status=%00Zq7x", {400}),
    # Impossible dates in the case "as of" page.
    ("/cases/{case}/as-of/?at=2026-02-30Zq7x", {400}),
    ("/cases/{case}/as-of/?at=2026-02-30T10:00", {400}),
    ("/cases/{case}/as-of/?at=9999-12-31T23:59", {200}),
    # Ids beyond 64 bits in page URLs.
    (f"/cases/{BIG}/", {404}),
    (f"/cases/{BIG}/as-of/", {404}),
    (f"/referrals/{BIG}/", {404}),
    (f"/meetings/{BIG}/", {404}),
    (f"/meetings/{{meeting}}/items/{BIG}/move/up/", {404, 405}),
]
ADMIN = [
    f"/admin/cases/case/{BIG}/change/", f"/admin/cases/patient/{BIG}/change/",
    f"/admin/cases/case/{BIG}/history/", f"/admin/referrals/referral/{BIG}/change/",
    "/admin/cases/case/%00/change/", "/admin/cases/case/?q=%00", f"/admin/cases/case/?id={BIG}",
]


def _check(response, url: str) -> None:
    assert response.status_code < 500, url
    if response.status_code >= 400:
        assert b"Zq7x" not in response.content, url


@pytest.mark.parametrize(("url", "codes"), CLINICIAN, ids=[u for u, _ in CLINICIAN])
def test_hostile_values_in_pages_and_api_are_refused_without_a_500(
        url, codes, world_a, breast_surgeon) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(breast_surgeon)
    url = url.format(case=world_a.case.pk, meeting=world_a.meeting.pk)
    response = client.get(url)
    _check(response, url)
    assert response.status_code in codes, (url, response.status_code)


@pytest.mark.parametrize("url", ADMIN)
def test_hostile_ids_in_admin_urls_never_make_a_500(url, admin_person) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_person)
    _check(client.get(url), url)


@pytest.mark.parametrize("body", ['{"pain": "\\ud800"}', '{"label": "a\\u0000b"}',
                                  '{"levels": ["T7\\udfff"]}'])
def test_json_bodies_with_nul_or_lone_surrogates_are_a_400_naming_the_field(
        body, world_a, breast_surgeon) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(breast_surgeon)
    response = client.post(f"/api/v1/cases/{world_a.case.pk}/lesions/", body,
                           content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == [next(iter(json.loads(body)))]


def test_a_nul_in_a_page_form_is_a_400(world_a, breast_surgeon) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(breast_surgeon)
    response = client.post(f"/cases/{world_a.case.pk}/lesions/new/",
                           {"levels": "T9", "label": "Zq7x\x00", "pain": "mechanical"})
    assert response.status_code == 400 and b"Zq7x" not in response.content
