"""Progression on serial imaging within 6 weeks (DESIGN.md; CLINICAL.md §8, service policy)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from scoring.calculators import (
    PROGRESSION_ORDER,
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    LesionImaging,
    Posterolateral,
    ScoringInputError,
    progressed_within_6_weeks,
    progression_changes,
)

FIRST = date(2026, 1, 5)
BASE: dict[str, Any] = {
    "imaged_on": FIRST,
    "collapse": Collapse.NONE,
    "alignment": Alignment.NORMAL,
    "posterolateral": Posterolateral.NONE,
    "bilsky": BilskyGrade.GRADE_0,
    "bone_lesion": BoneLesion.MIXED,
}


def study(days: int = 0, **changes: Any) -> LesionImaging:
    return LesionImaging(**{**BASE, "imaged_on": FIRST + timedelta(days=days), **changes})


@pytest.mark.parametrize(("days", "progressed"), [(0, True), (41, True), (42, True), (43, False)])
def test_window_is_42_days_inclusive(days: int, progressed: bool) -> None:
    worse = study(days, collapse=Collapse.UNDER_50)
    assert progressed_within_6_weeks(study(), worse) is progressed


@pytest.mark.parametrize(
    "changes",
    [
        {"collapse": Collapse.INVOLVED_OVER_50},
        {"collapse": Collapse.OVER_50},
        {"alignment": Alignment.DEFORMITY},
        {"alignment": Alignment.SUBLUXATION},
        {"posterolateral": Posterolateral.UNILATERAL},
        {"bilsky": BilskyGrade.GRADE_1A},
        {"bilsky": BilskyGrade.GRADE_3},
        {"bone_lesion": BoneLesion.LYTIC},
    ],
)
def test_each_worse_category_is_progression(changes: dict[str, Any]) -> None:
    assert progressed_within_6_weeks(study(), study(20, **changes)) is True
    assert progression_changes(study(), study(20, **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"bone_lesion": BoneLesion.BLASTIC},  # mixed to blastic: healing, not progression
        {"collapse": Collapse.NONE},
    ],
)
def test_same_or_better_is_not_progression(changes: dict[str, Any]) -> None:
    assert progressed_within_6_weeks(study(), study(20, **changes)) is False


def test_improvement_is_not_progression() -> None:
    before = study(collapse=Collapse.OVER_50, bilsky=BilskyGrade.GRADE_2)
    after = study(10, collapse=Collapse.UNDER_50, bilsky=BilskyGrade.GRADE_1B)
    assert progressed_within_6_weeks(before, after) is False


def test_lytic_replacing_blastic_counts_but_blastic_to_mixed_does_not() -> None:
    blastic = study(bone_lesion=BoneLesion.BLASTIC)
    assert progressed_within_6_weeks(blastic, study(7, bone_lesion=BoneLesion.LYTIC)) is True
    assert progressed_within_6_weeks(blastic, study(7, bone_lesion=BoneLesion.MIXED)) is False


def test_orderings_are_a_named_policy_table() -> None:
    assert list(PROGRESSION_ORDER) == ["collapse", "alignment", "posterolateral", "bilsky"]
    assert PROGRESSION_ORDER["collapse"][Collapse.OVER_50] == 3


def test_both_dates_are_required() -> None:
    with pytest.raises(ScoringInputError) as caught:
        progressed_within_6_weeks(study(imaged_on=None), study(imaged_on=None))
    assert set(caught.value.errors) == {"previous.imaged_on", "current.imaged_on"}


def test_current_before_previous_is_an_error() -> None:
    with pytest.raises(ScoringInputError) as caught:
        progressed_within_6_weeks(study(10), study(0))
    assert list(caught.value.errors) == ["current.imaged_on"]
