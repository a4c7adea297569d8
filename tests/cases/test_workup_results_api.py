"""The occult-primary work-up results through the REST API (CLINICAL.md §17)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from referrals.models import OccultWorkupResult, Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def occult(neurosurgeon, breast_team, spine_team) -> Referral:
    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown", er=None, pr=None, her2=None, ki67=None)
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    return Referral.objects.get(case=case, direction="neuro_to_breast")


def url(referral: Referral, tail: str = "") -> str:
    return f"/api/v1/referrals/{referral.pk}/{tail}"


def test_a_result_is_posted_and_read_back_with_its_flag(api_client, occult, breast_surgeon):
    api_client.force_authenticate(breast_surgeon)
    today = timezone.localdate().isoformat()
    answer = api_client.post(url(occult, "workup/results/"), {
        "kind": "marker", "taken_on": today, "marker": "alp", "value": "130",
        "upper_limit": "129"}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["above_limit"] is True and answer.json()["unit"] == "U/L"
    detail = api_client.get(url(occult)).json()
    assert [r["marker"] for r in detail["workup_results"]] == ["alp"]


def test_a_bad_result_is_a_400_naming_the_field(api_client, occult, breast_surgeon):
    api_client.force_authenticate(breast_surgeon)
    today = timezone.localdate().isoformat()
    for body, field in (
        ({"kind": "breast_imaging", "taken_on": today, "modality": "mammography",
          "birads_left": 7}, "birads_left"),
        ({"kind": "marker", "taken_on": today, "marker": "cea", "value": "2"}, "upper_limit"),
        ({"kind": "marker", "marker": "cea", "value": "2", "upper_limit": "5"}, "taken_on"),
    ):
        answer = api_client.post(url(occult, "workup/results/"), body, format="json")
        assert answer.status_code == 400, answer.content
        assert field in answer.content.decode()
    assert not OccultWorkupResult.objects.exists()


def test_a_confirming_biopsy_moves_the_referral_and_the_exclusion_needs_a_reason(
        api_client, occult, neurosurgeon):
    api_client.force_authenticate(neurosurgeon)
    assert api_client.post(url(occult, "workup/exclude/"), {"reason": ""},
                           format="json").status_code == 400
    answer = api_client.post(url(occult, "workup/results/"), {
        "kind": "biopsy", "taken_on": timezone.localdate().isoformat(), "biopsy_site": "spine",
        "breast_origin": True, "er": False, "pr": False, "her2": False}, format="json")
    assert answer.status_code == 201, answer.content
    assert api_client.get(url(occult)).json()["status"] == "accepted"
    occult.case.refresh_from_db()
    assert occult.case.subtype == "triple_negative"


def test_an_outsider_gets_404(api_client, occult, outsider):
    api_client.force_authenticate(outsider)
    answer = api_client.post(url(occult, "workup/results/"), {
        "kind": "marker", "taken_on": timezone.localdate().isoformat(), "marker": "cea",
        "value": "2", "upper_limit": "5"}, format="json")
    assert answer.status_code in (403, 404)
    assert not OccultWorkupResult.objects.exists()
