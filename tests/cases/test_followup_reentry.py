"""Follow-up visits re-enter the pathway (CLINICAL.md §18) and the case shows the latest
neurology and performance status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.followups import current_status
from cases.models import Case
from referrals.models import OPEN_STATUSES, Referral
from tests.factories import create_case

pytestmark = pytest.mark.django_db

#: A painless, stable, Bilsky 0 lesion at T7: SINS 1 + 0 + 2 + 0 + 0 + 0 = 3 (CLINICAL.md §1);
#: no §8 trigger fires for it in a patient without back pain or deficit.
QUIET_STUDY = {"imaging_date": dt.date(2026, 1, 5), "pain": "none", "bone_lesion": "lytic",
               "alignment": "normal", "collapse": "none", "posterolateral": "none",
               "bilsky": "0"}
VISIT = {"frankel": "E", "kps": 80, "pain_nrs": 2, "ambulation": "independent"}


@pytest.fixture
def surveillance_case(breast_surgeon, breast_team, spine_team, mdt_team) -> Case:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    services.lesion_create(case=case, actor=breast_surgeon, levels=["T7"], **QUIET_STUDY)
    for phase in ("spine_metastasis_detection", "mdt_tumor_board", "surveillance"):
        services.case_transition(case=case, to_phase=phase, reason="pathway", actor=breast_surgeon)
    case.refresh_from_db()
    assert case.latest_assessment.max_sins == 3
    assert not Referral.objects.filter(case=case).exists()
    return case


def _open_referral(case: Case) -> Referral:
    return Referral.objects.get(case=case, direction="breast_to_neuro", status__in=OPEN_STATUSES)


def test_local_progression_re_enters_detection_with_a_referral_carrying_the_visit(
        surveillance_case, breast_surgeon) -> None:
    before = timezone.now()
    services.followup_create(case=surveillance_case, actor=breast_surgeon,
                             visit_date=dt.date(2026, 6, 3), local_control="progression",
                             **VISIT)
    surveillance_case.refresh_from_db()
    assert surveillance_case.phase == "spine_metastasis_detection"
    assert "Follow-up visit of 03 Jun 2026: local progression." in (
        surveillance_case.current_event.reason)
    referral = _open_referral(surveillance_case)
    trigger = referral.triggers.get()
    assert trigger.code == "rapid_progression"
    assert trigger.evidence == "Follow-up visit of 03 Jun 2026: local progression."
    # §9: rapid progression is orange, due in 72 h.
    assert referral.urgency == "orange"
    assert before + dt.timedelta(hours=72) <= referral.due_at <= (
        timezone.now() + dt.timedelta(hours=72))


def test_new_spinal_lesions_re_enter_too(surveillance_case, neurosurgeon) -> None:
    services.followup_create(case=surveillance_case, actor=neurosurgeon,
                             visit_date=dt.date(2026, 6, 3), new_spinal_lesions=True, **VISIT)
    surveillance_case.refresh_from_db()
    assert surveillance_case.phase == "spine_metastasis_detection"
    assert _open_referral(surveillance_case).triggers.get().evidence == (
        "Follow-up visit of 03 Jun 2026: new spinal lesions on imaging.")


def test_a_new_deficit_fires_the_deficit_trigger_red_and_the_assessment_follows(
        surveillance_case, breast_surgeon) -> None:
    services.followup_create(case=surveillance_case, actor=breast_surgeon,
                             visit_date=dt.date(2026, 6, 3),
                             **{**VISIT, "frankel": "C", "kps": 50})
    case = Case.objects.get(pk=surveillance_case.pk)
    assert (case.frankel, case.kps, case.neurological_deficit) == ("C", 50, True)
    assert case.latest_assessment.inputs["patient"]["frankel"] == "C"
    assert case.latest_assessment.urgency == "red"  # §9: a neurological deficit
    referral = _open_referral(case)
    assert referral.urgency == "red"
    evidence = referral.triggers.get(code="neurological_deficit").evidence
    assert "Frankel C" in evidence and "Follow-up visit of 03 Jun 2026" in evidence


def test_a_quiet_visit_changes_no_phase_and_raises_nothing(surveillance_case,
                                                          breast_surgeon) -> None:
    services.followup_create(case=surveillance_case, actor=breast_surgeon,
                             visit_date=dt.date(2026, 6, 3), **VISIT)
    surveillance_case.refresh_from_db()
    assert surveillance_case.phase == "surveillance"
    assert not Referral.objects.filter(case=surveillance_case).exists()


def test_the_summary_shows_the_latest_neurology_and_performance_with_its_date(
        client, surveillance_case, breast_surgeon) -> None:
    services.followup_create(case=surveillance_case, actor=breast_surgeon,
                             visit_date=dt.date(2026, 6, 3), **{**VISIT, "frankel": "D",
                                                               "asia": "D", "kps": 60})
    surveillance_case.refresh_from_db()
    status = current_status(surveillance_case, list(surveillance_case.followups.all()))
    assert (status.frankel, status.asia, status.kps, status.recorded_on, status.source) == (
        "D", "D", 60, dt.date(2026, 6, 3), "follow-up visit")
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[surveillance_case.pk])).content.decode()
    assert "Frankel D" in page and "KPS 60" in page and "03 Jun 2026" in page
    # A later edit of the case is the latest record.
    services.case_update(case=surveillance_case, actor=breast_surgeon, expected_version=None,
                         kps=70)
    surveillance_case.refresh_from_db()
    status = current_status(surveillance_case, list(surveillance_case.followups.all()))
    assert (status.kps, status.source) == (70, "case record")


def test_a_hand_flag_keeps_its_note_although_the_rules_raised_the_referral_first(
        surveillance_case, breast_surgeon) -> None:
    from referrals import services as referral_services

    referral = referral_services.referral_flag(case=surveillance_case, codes=["back_pain"],
                                               actor=breast_surgeon, note="Pain at night.")
    assert referral.note == "Pain at night."
    assert referral.triggers.get().source == "manual"
