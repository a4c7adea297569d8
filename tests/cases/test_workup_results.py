"""The occult-primary work-up records results (CLINICAL.md §17): marker flags at the reference
limit, the confirmation rule at its boundaries, and what a confirmation or an exclusion does to
the case and the referral."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import services, workup_rules
from referrals.models import OccultWorkupResult, Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


# --- the rules, without the database ------------------------------------------------------------


@pytest.mark.parametrize(("value", "limit", "flagged"), [
    ("30", "30", False),        # equal to the upper limit: within
    ("30.01", "30", True),      # just above: flagged
    ("29.99", "30", False),
    ("5.0", "5", False),        # CEA at its limit, written differently
    ("121", "120", True),       # alkaline phosphatase just above
])  # fmt: skip
def test_a_marker_is_flagged_only_above_its_upper_limit(value: str, limit: str,
                                                        flagged: bool) -> None:
    assert workup_rules.marker_above_limit(Decimal(value), Decimal(limit)) is flagged


@pytest.mark.parametrize(("result", "rule"), [
    ({"kind": "breast_imaging", "birads_left": 5, "birads_right": 1}, None),
    ({"kind": "breast_imaging", "birads_left": 1, "birads_right": 6}, "birads_6"),
    ({"kind": "breast_imaging", "birads_left": 6, "birads_right": None}, "birads_6"),
    ({"kind": "biopsy", "biopsy_site": "spine", "breast_origin": False}, None),
    ({"kind": "biopsy", "biopsy_site": "spine", "breast_origin": True}, "histology_breast_origin"),
    ({"kind": "biopsy", "biopsy_site": "breast", "breast_origin": True},
     "histology_breast_origin"),
    ({"kind": "biopsy", "biopsy_site": "other", "breast_origin": True}, None),
    ({"kind": "staging_scan", "breast_focus": True, "axillary_focus": True}, None),
    ({"kind": "marker", "marker": "ca15_3", "value": 900, "upper_limit": 30}, None),
])  # fmt: skip
def test_what_confirms_a_breast_primary(result: dict[str, Any], rule: str | None) -> None:
    assert workup_rules.confirming_rule(result) == rule


def test_spinal_histology_not_of_breast_origin_suggests_the_exclusion_only() -> None:
    verdict = workup_rules.confirmation([
        {"kind": "biopsy", "biopsy_site": "spine", "breast_origin": False}])
    assert (verdict.confirmed, verdict.exclusion_suggested) == (False, True)
    later = workup_rules.confirmation([
        {"kind": "biopsy", "biopsy_site": "spine", "breast_origin": False},
        {"kind": "breast_imaging", "birads_left": 6, "pk": 7}])
    assert (later.confirmed, later.rule, later.result_id) == (True, "birads_6", 7)


# --- the service --------------------------------------------------------------------------------


@pytest.fixture
def occult(neurosurgeon, breast_team, spine_team) -> Referral:
    """A neurosurgeon's patient with an unknown primary and a spinal lesion: the rules referred
    it to the breast team (§8) with the work-up."""
    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown", er=None, pr=None, her2=None, ki67=None)
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    return Referral.objects.get(case=case, direction="neuro_to_breast")


def record(referral: Referral, actor: Any, **fields: Any) -> OccultWorkupResult:
    return services.workup_result_record(referral=referral, actor=actor,
                                         taken_on=fields.pop("taken_on", TODAY), **fields)


def test_a_marker_at_its_limit_is_stored_unflagged_and_ticks_the_item(occult, breast_surgeon):
    at_limit = record(occult, breast_surgeon, kind="marker", marker="ca15_3",
                      value=Decimal("30"), upper_limit=Decimal("30"))
    above = record(occult, breast_surgeon, kind="marker", marker="cea",
                   value=Decimal("5.1"), upper_limit=Decimal("5"))
    assert (at_limit.above_limit, above.above_limit) == (False, True)
    assert (at_limit.unit, above.unit) == ("U/mL", "ng/mL")  # the §17 units, filled in
    item = occult.workup_items.get(code="tumour_markers")
    assert item.done_by == breast_surgeon
    occult.refresh_from_db()
    assert occult.status == "sent"  # markers never confirm
    assert occult.case.primary_status == "unknown"


def test_birads_5_does_not_confirm(occult, breast_surgeon):
    record(occult, breast_surgeon, kind="breast_imaging", modality="mammography",
           birads_left=5, birads_right=1)
    occult.refresh_from_db()
    occult.case.refresh_from_db()
    assert (occult.status, occult.case.primary_status) == ("sent", "unknown")


def test_birads_6_confirms_the_breast_primary_and_moves_the_referral_on(occult, breast_surgeon):
    record(occult, breast_surgeon, kind="breast_imaging", modality="ultrasound",
           birads_left=1, birads_right=6)
    occult.refresh_from_db()
    occult.case.refresh_from_db()
    assert occult.case.primary_status == "known_breast"
    assert occult.status == "accepted"
    assert occult.events.filter(action="confirm_primary").exists()


def test_spinal_histology_of_breast_origin_sets_primary_receptors_subtype_and_reassesses(
        occult, neurosurgeon):
    case = occult.case
    before = case.latest_assessment_id
    assert before is not None  # scored with an unknown subtype
    record(occult, neurosurgeon, kind="biopsy", biopsy_site="spine", breast_origin=True,
           er=True, pr=True, her2=False, ki67=12.0)
    case.refresh_from_db()
    assert (case.primary_status, case.er, case.pr, case.her2, case.ki67) == (
        "known_breast", True, True, False, 12.0)
    # §12: ER and PR positive, HER2 negative, Ki-67 under 20 %: luminal A.
    assert case.subtype == "luminal_a"
    assert case.latest_assessment_id != before
    assert case.latest_assessment.subtype == "luminal_a"
    assert occult.workup_items.get(code="spinal_biopsy").done_by == neurosurgeon
    occult.refresh_from_db()
    assert occult.status == "accepted"


def test_histology_not_of_breast_origin_does_not_confirm_and_the_exclusion_closes_it(
        occult, breast_surgeon):
    record(occult, breast_surgeon, kind="biopsy", biopsy_site="spine", breast_origin=False)
    occult.refresh_from_db()
    occult.case.refresh_from_db()
    assert (occult.status, occult.case.primary_status) == ("sent", "unknown")
    assert services.workup_verdict(occult).exclusion_suggested
    with pytest.raises(ValidationError) as refused:
        services.workup_exclude(referral=occult, actor=breast_surgeon, reason="  ")
    assert "reason" in refused.value.message_dict
    services.workup_exclude(referral=occult, actor=breast_surgeon,
                            reason="Spinal histology: lung adenocarcinoma (TTF-1).")
    occult.refresh_from_db()
    assert occult.status == "closed" and occult.closed_at is not None
    event = occult.events.get(action="exclude_primary")
    assert event.note == "Spinal histology: lung adenocarcinoma (TTF-1)."
    with pytest.raises(ValidationError):  # closed: its work-up is over
        record(occult, breast_surgeon, kind="marker", marker="cea", value=Decimal("1"),
               upper_limit=Decimal("5"))


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "marker", "marker": "cea", "value": Decimal("3")}, "upper_limit"),
    ({"kind": "marker", "marker": "cea", "value": Decimal("3"), "upper_limit": Decimal("5"),
      "unit": "U/L"}, "unit"),
    ({"kind": "breast_imaging", "modality": "pet_ct", "birads_left": 2}, "modality"),
    ({"kind": "breast_imaging", "modality": "mammography"}, "birads_left"),
    ({"kind": "breast_imaging", "modality": "mammography", "birads_left": 7}, "birads_left"),
    ({"kind": "biopsy", "biopsy_site": "spine"}, "breast_origin"),
    ({"kind": "biopsy", "biopsy_site": "spine", "breast_origin": True, "ki67": 101.0}, "ki67"),
    ({"kind": "staging_scan", "modality": "pet_ct", "birads_left": 4}, "birads_left"),
    ({"kind": "marker", "marker": "cea", "value": Decimal("3"), "upper_limit": Decimal("5"),
      "taken_on": TODAY + dt.timedelta(days=1)}, "taken_on"),
])  # fmt: skip
def test_bad_results_are_refused_naming_the_field(occult, breast_surgeon, fields, field,
                                                  time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as refused:
        record(occult, breast_surgeon, **fields)
    assert field in refused.value.message_dict
    assert not OccultWorkupResult.objects.exists()


def test_only_the_two_teams_record_results(occult, outsider, coordinator):
    for person in (outsider, coordinator):
        with pytest.raises(PermissionDenied):
            record(occult, person, kind="marker", marker="cea", value=Decimal("1"),
                   upper_limit=Decimal("5"))
    assert not OccultWorkupResult.objects.exists()


# --- the pages ----------------------------------------------------------------------------------


def test_the_form_shows_field_errors_and_saves_nothing(client, occult, breast_surgeon):
    client.force_login(breast_surgeon)
    url = reverse("referrals:workup-result", args=[occult.pk])
    page = client.post(url, {"kind": "marker", "taken_on": timezone.localdate().isoformat(),
                             "marker": "ca15_3", "value": "40"})
    assert page.status_code == 200  # the form again, as every page form (test_constraints)
    assert b"required for this kind of result" in page.content
    assert not OccultWorkupResult.objects.exists()


def test_the_page_records_a_flagged_marker_and_a_confirming_biopsy(client, occult,
                                                                   breast_surgeon):
    client.force_login(breast_surgeon)
    url = reverse("referrals:workup-result", args=[occult.pk])
    today = timezone.localdate().isoformat()
    assert client.get(url).status_code == 200
    done = client.post(url, {"kind": "marker", "taken_on": today, "marker": "ca15_3",
                             "value": "48.5", "upper_limit": "31.3"})
    assert done.status_code == 302
    detail = client.get(reverse("referrals:referral-detail", args=[occult.pk]))
    assert b"above the limit" in detail.content
    assert b"Not confirmed yet." in detail.content
    confirmed = client.post(url, {"kind": "biopsy", "taken_on": today, "biopsy_site": "breast",
                                  "breast_origin": "true", "er": "false", "pr": "false",
                                  "her2": "true"}, follow=True)
    assert b"Result recorded (biopsy histology). Breast primary confirmed" in confirmed.content
    occult.case.refresh_from_db()
    assert (occult.case.primary_status, occult.case.subtype) == ("known_breast", "her2_enriched")
    detail = client.get(reverse("referrals:referral-detail", args=[occult.pk]))
    assert b"Breast primary confirmed" in detail.content


def test_an_outsider_gets_404_on_the_result_pages(client, occult, outsider):
    client.force_login(outsider)
    assert client.get(reverse("referrals:workup-result", args=[occult.pk])).status_code in (403,
                                                                                           404)
    client.post(reverse("referrals:workup-exclude", args=[occult.pk]), {"reason": "x"})
    occult.refresh_from_db()
    assert occult.status == "sent"


def test_the_exclusion_form_needs_a_reason(client, occult, breast_surgeon):
    client.force_login(breast_surgeon)
    client.post(reverse("referrals:workup-exclude", args=[occult.pk]), {"reason": ""})
    occult.refresh_from_db()
    assert occult.status == "sent"
