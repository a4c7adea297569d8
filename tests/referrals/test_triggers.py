"""The trigger hook (CLINICAL.md §8-§9): saving a lesion or an assessment raises or extends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cases import services as case_services
from referrals import services
from referrals.models import Alert, OccultWorkupItem, Referral, ReferralEvent
from referrals.triggers import case_findings
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db


def test_a_lesion_with_sins_7_or_more_raises_a_breast_to_neuro_referral_with_urgency_and_due(
    breast_surgeon, neurosurgeon, dave, breast_team, spine_team, mdt_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    assert not Referral.objects.exists()
    add_lesion(case, actor=breast_surgeon)  # SINS 9, Bilsky 1b
    referral = Referral.objects.get(case=case)
    assert referral.direction == "breast_to_neuro"
    assert referral.status == "sent"
    assert sorted(referral.triggers.values_list("code", flat=True)) == [
        "epidural_extension", "sins_7_or_more"]
    assert "SINS 9 at T7" in referral.triggers.get(code="sins_7_or_more").evidence
    assert referral.urgency == "green"
    assert referral.due_at == referral.sent_at + dt.timedelta(hours=168)
    assert referral.receiving_team == spine_team and referral.sending_team == breast_team
    assert list(referral.events.values_list("action", flat=True)) == ["raise", "send"]
    # The spine team's neurosurgeon who is not the lead gets the first alert.
    assert list(Alert.objects.values_list("recipient__username", "kind")) == [
        ("dave", "new_referral")]


def test_a_stable_lesion_raises_nothing(breast_surgeon, neurosurgeon, breast_team, spine_team):
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    add_lesion(case, actor=breast_surgeon, pain="none", bone_lesion="blastic",
               collapse="none", posterolateral="none", bilsky="0")
    assert not Referral.objects.exists()


def test_a_second_raise_extends_the_open_referral_and_raises_its_urgency(
    care_case, breast_surgeon, referral
) -> None:
    assert referral.urgency == "green"
    lesion = care_case.lesions.get()
    case_services.lesion_imaging_add(
        lesion=lesion, actor=breast_surgeon, imaging_date=dt.date(2026, 1, 20),
        pain="mechanical", bone_lesion="lytic", alignment="subluxation", collapse="over_50",
        posterolateral="bilateral", bilsky="3",
    )
    assert Referral.objects.filter(case=care_case).count() == 1
    referral.refresh_from_db()
    codes = set(referral.triggers.values_list("code", flat=True))
    assert {"sins_7_or_more", "epidural_extension", "rapid_progression"} <= codes
    assert referral.urgency == "orange"  # high-grade ESCC in luminal A (§9)
    assert ReferralEvent.objects.filter(referral=referral, action="extend").count() == 1
    # High-grade compression, but the patient is on no therapy that needs holding (§10): no
    # hold advice (tests/referrals/test_systemic_therapy_hold.py has the other side).
    assert not Alert.objects.filter(referral=referral, kind="systemic_therapy_hold").exists()


def test_an_unchanged_re_evaluation_adds_nothing(care_case, breast_surgeon, referral) -> None:
    case_services.assessment_create(case=care_case, actor=breast_surgeon)
    assert ReferralEvent.objects.filter(referral=referral).count() == 2
    assert Alert.objects.filter(referral=referral).count() == 1


def test_the_database_allows_one_open_referral_per_case_and_direction(referral) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(case=referral.case, direction="breast_to_neuro",
                                sender=referral.sender, receiving_team=referral.receiving_team)


def test_a_raise_that_loses_the_race_extends_the_winner(care_case, breast_surgeon, referral,
                                                        monkeypatch) -> None:
    # The open referral is invisible to the first read, as to a concurrent writer: the insert
    # hits the constraint, and the service re-reads and extends.
    findings = case_findings(care_case)
    real_filter = Referral.objects.select_for_update().filter
    calls = {"n": 0}

    class Blind:
        def filter(self, *args, **kwargs):
            calls["n"] += 1
            return Referral.objects.none() if calls["n"] == 1 else real_filter(*args, **kwargs)

        def get(self, *args, **kwargs):
            return Referral.objects.get(*args, **kwargs)

    monkeypatch.setattr(Referral.objects, "select_for_update", lambda *a, **k: Blind())
    from scoring.calculators import ReferralDirection, Trigger, TriggerCode

    extra = Trigger(TriggerCode.BACK_PAIN, ReferralDirection.BREAST_TO_NEURO, "reported")
    result = services.referral_raise(case=care_case, direction="breast_to_neuro",
                                     fired=[*findings.triggers, extra], findings=findings,
                                     actor=breast_surgeon)
    assert result.pk == referral.pk
    assert Referral.objects.count() == 1
    assert referral.triggers.filter(code="back_pain").exists()


def test_an_unknown_primary_raises_a_neuro_to_breast_referral_with_the_workup(
    neurosurgeon, breast_surgeon, breast_team, spine_team
) -> None:
    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown")
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    referral = Referral.objects.get(case=case, direction="neuro_to_breast")
    assert referral.urgency == "orange"
    assert referral.receiving_team == breast_team
    assert list(referral.triggers.values_list("code", flat=True)) == ["occult_primary"]
    items = list(OccultWorkupItem.objects.filter(referral=referral))
    assert len(items) == 6 and items[0].code == "history"
    assert Alert.objects.filter(referral=referral, recipient=breast_surgeon,
                                kind="new_referral").exists()
    item = services.workup_item_tick(referral=referral, code="history", actor=breast_surgeon)
    assert item.done_by == breast_surgeon and item.done_at is not None


def test_a_declined_referral_is_not_raised_again_by_the_same_findings(
    care_case, breast_surgeon, neurosurgeon, referral
) -> None:
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_decline(referral=referral, actor=neurosurgeon, reason="stable, MRI in 6 w")
    case_services.assessment_create(case=care_case, actor=breast_surgeon)
    assert Referral.objects.filter(case=care_case).count() == 1


def test_a_breast_surgeon_flags_back_pain_by_hand(
    breast_surgeon, neurosurgeon, breast_team, spine_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    referral = services.referral_flag(case=case, codes=["back_pain"], actor=breast_surgeon,
                                      note="new night pain")
    case.refresh_from_db()
    assert case.new_or_progressive_back_pain is True
    trigger = referral.triggers.get()
    assert (trigger.code, trigger.source) == ("back_pain", "manual")
    assert referral.urgency == "green"


def test_back_pain_without_a_known_breast_primary_is_refused_and_nothing_saved(
    breast_surgeon, breast_team, spine_team
) -> None:
    from django.core.exceptions import ValidationError

    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="suspected_breast")
    with pytest.raises(ValidationError) as error:
        services.referral_flag(case=case, codes=["back_pain"], actor=breast_surgeon)
    assert "trigger_codes" in error.value.message_dict
    case.refresh_from_db()
    assert case.new_or_progressive_back_pain is None
