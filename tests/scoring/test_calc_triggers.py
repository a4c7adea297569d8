"""Referral triggers in both directions (CLINICAL.md §8)."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import (
    OCCULT_PRIMARY_WORKUP,
    BilskyGrade,
    Frankel,
    LesionFindings,
    PrimarySite,
    ReferralDirection,
    ScoringInputError,
    SpinalLevel,
    TriggerCode,
    triggers,
)

QUIET = LesionFindings(
    levels=(SpinalLevel.T5, SpinalLevel.T6), sins_total=6, bilsky=BilskyGrade.GRADE_0
)
BASE: dict[str, Any] = {
    "primary_site": PrimarySite.BREAST,
    "frankel": Frankel.E,
    "lesions": [QUIET],
    "vertebral_metastases": 3,
    "extraspinal_bone_metastases": 0,
}


def fire(**changes: Any) -> dict[TriggerCode, Any]:
    return {trigger.code: trigger for trigger in triggers(**{**BASE, **changes})}


def test_nothing_fires_for_a_quiet_case() -> None:
    assert fire() == {}


def test_back_pain_fires_for_known_breast_cancer_whatever_the_neurology() -> None:
    fired = fire(new_or_progressive_back_pain=True)
    assert list(fired) == [TriggerCode.BACK_PAIN]
    assert fired[TriggerCode.BACK_PAIN].direction is ReferralDirection.BREAST_TO_NEURO
    assert TriggerCode.BACK_PAIN in fire(new_or_progressive_back_pain=True, frankel=Frankel.C)


def test_back_pain_needs_a_breast_primary() -> None:
    assert TriggerCode.BACK_PAIN not in fire(
        new_or_progressive_back_pain=True, primary_site=PrimarySite.LUNG
    )


@pytest.mark.parametrize(("sins", "fires"), [(6, False), (7, True), (13, True)])
def test_sins_7_or_more_with_levels_in_the_evidence(sins: int, fires: bool) -> None:
    lesion = LesionFindings(
        levels=(SpinalLevel.T11, SpinalLevel.T12), sins_total=sins, bilsky=BilskyGrade.GRADE_0
    )
    fired = fire(lesions=[QUIET, lesion])
    assert (TriggerCode.SINS_7_OR_MORE in fired) is fires
    if fires:
        assert fired[TriggerCode.SINS_7_OR_MORE].evidence == f"SINS {sins} at T11-T12 (7 or more)."


@pytest.mark.parametrize(
    ("grade", "fires"), [("0", False), ("1a", True), ("1c", True), ("2", True), ("3", True)]
)
def test_epidural_extension_from_bilsky_1a(grade: str, fires: bool) -> None:
    lesion = LesionFindings(levels=(SpinalLevel.L3,), sins_total=2, bilsky=BilskyGrade(grade))
    fired = fire(lesions=[lesion])
    assert (TriggerCode.EPIDURAL_EXTENSION in fired) is fires
    if fires:
        assert f"Bilsky {grade} at L3" in fired[TriggerCode.EPIDURAL_EXTENSION].evidence


@pytest.mark.parametrize(
    ("frankel", "stated", "fires"),
    [("A", None, True), ("B", None, True), ("C", False, True), ("D", None, True),
     ("E", None, False), ("E", False, False), ("E", True, True)],
)  # fmt: skip
def test_neurological_deficit_is_frankel_a_to_d_or_a_stated_deficit(
    frankel: str, stated: bool | None, fires: bool
) -> None:
    fired = fire(frankel=Frankel(frankel), neurological_deficit=stated)
    assert (TriggerCode.NEUROLOGICAL_DEFICIT in fired) is fires


def test_rapid_progression_from_any_lesion() -> None:
    progressed = LesionFindings(
        levels=(SpinalLevel.L1,), sins_total=3, bilsky=BilskyGrade.GRADE_0,
        progressed_within_6_weeks=True,
    )  # fmt: skip
    fired = fire(lesions=[QUIET, progressed])
    assert "at L1" in fired[TriggerCode.RAPID_PROGRESSION].evidence


@pytest.mark.parametrize(
    ("new_patient", "vertebral", "extraspinal", "fires"),
    [(True, 1, 0, True), (False, 1, 0, False), (None, 1, 0, False), (True, 2, 0, False),
     (True, 1, 1, False)],
)  # fmt: skip
def test_isolated_lesion_in_a_new_patient(
    new_patient: bool | None, vertebral: int, extraspinal: int, fires: bool
) -> None:
    lesion = LesionFindings(levels=(SpinalLevel.T8,), sins_total=2, bilsky=BilskyGrade.GRADE_0)
    fired = fire(
        lesions=[lesion], new_patient=new_patient, vertebral_metastases=vertebral,
        extraspinal_bone_metastases=extraspinal,
    )  # fmt: skip
    assert (TriggerCode.ISOLATED_LESION in fired) is fires


def test_occult_primary_goes_neuro_to_breast() -> None:
    fired = fire(primary_site=PrimarySite.UNKNOWN)
    trigger = fired[TriggerCode.OCCULT_PRIMARY]
    assert trigger.direction is ReferralDirection.NEURO_TO_BREAST
    assert "CA 15-3" in trigger.evidence
    assert trigger.to_dict() == {
        "code": "occult_primary",
        "direction": "neuro_to_breast",
        "evidence": trigger.evidence,
    }
    assert len(OCCULT_PRIMARY_WORKUP) == 6


def test_all_triggers_fire_together_in_section_order() -> None:
    lesion = LesionFindings(
        levels=(SpinalLevel.C7,), sins_total=9, bilsky=BilskyGrade.GRADE_2,
        progressed_within_6_weeks=True,
    )  # fmt: skip
    codes = [
        trigger.code
        for trigger in triggers(
            primary_site=PrimarySite.BREAST, frankel=Frankel.D, lesions=[lesion],
            vertebral_metastases=1, extraspinal_bone_metastases=0,
            new_or_progressive_back_pain=True, new_patient=True,
        )
    ]  # fmt: skip
    assert codes == [
        TriggerCode.BACK_PAIN, TriggerCode.SINS_7_OR_MORE, TriggerCode.EPIDURAL_EXTENSION,
        TriggerCode.NEUROLOGICAL_DEFICIT, TriggerCode.RAPID_PROGRESSION,
        TriggerCode.ISOLATED_LESION,
    ]  # fmt: skip


def test_bad_findings_are_named() -> None:
    bad = LesionFindings(levels=("Co1",), sins_total=19, bilsky="4")  # type: ignore[arg-type]
    with pytest.raises(ScoringInputError) as caught:
        fire(lesions=[bad], new_patient="yes")
    assert set(caught.value.errors) == {
        "lesions[0].levels[0]", "lesions[0].sins_total", "lesions[0].bilsky", "new_patient",
    }  # fmt: skip
