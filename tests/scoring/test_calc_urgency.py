"""Urgency and due times (CLINICAL.md §9, service policy v1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scoring.calculators import (
    URGENCY_DUE_HOURS,
    BilskyGrade,
    MolecularSubtype,
    ScoringInputError,
    TriggerCode,
    Urgency,
    urgency,
    urgency_due_at,
)

T = TriggerCode
BASE: dict[str, Any] = {
    "trigger_codes": [],
    "max_bilsky": BilskyGrade.GRADE_0,
    "max_sins": 3,
    "subtype": MolecularSubtype.LUMINAL_A,
}


def level(**changes: Any) -> Urgency | None:
    return urgency(**{**BASE, **changes}).level


def test_no_trigger_no_urgency_and_no_due_time() -> None:
    result = urgency(**BASE)
    assert (result.level, result.due_within_hours) == (None, None)


def test_red_for_a_neurological_deficit() -> None:
    result = urgency(**{**BASE, "trigger_codes": [T.NEUROLOGICAL_DEFICIT]})
    assert (result.level, result.due_within_hours) == (Urgency.RED, 24)


@pytest.mark.parametrize(
    ("subtype", "expected"),
    [("her2_enriched", Urgency.RED), ("triple_negative", Urgency.RED),
     ("luminal_a", Urgency.ORANGE), ("luminal_b", Urgency.ORANGE), ("unknown", Urgency.ORANGE)],
)  # fmt: skip
@pytest.mark.parametrize("grade", ["2", "3"])
def test_high_grade_escc_red_for_her2_and_triple_negative_else_orange(
    subtype: str, expected: Urgency, grade: str
) -> None:
    assert (
        level(
            trigger_codes=[T.EPIDURAL_EXTENSION],
            max_bilsky=BilskyGrade(grade),
            subtype=MolecularSubtype(subtype),
        )
        is expected
    )


def test_bilsky_1c_in_triple_negative_is_not_high_grade() -> None:
    assert (
        level(
            trigger_codes=[T.EPIDURAL_EXTENSION],
            max_bilsky=BilskyGrade.GRADE_1C,
            subtype=MolecularSubtype.TRIPLE_NEGATIVE,
        )
        is Urgency.GREEN
    )


@pytest.mark.parametrize(("sins", "expected"), [(12, Urgency.GREEN), (13, Urgency.ORANGE)])
def test_sins_13_or_more_is_orange(sins: int, expected: Urgency) -> None:
    assert level(trigger_codes=[T.SINS_7_OR_MORE], max_sins=sins) is expected


def test_rapid_progression_is_orange() -> None:
    assert level(trigger_codes=[T.RAPID_PROGRESSION]) is Urgency.ORANGE


def test_occult_primary_is_orange() -> None:
    result = urgency(**{**BASE, "trigger_codes": [T.OCCULT_PRIMARY]})
    assert (result.level, result.due_within_hours) == (Urgency.ORANGE, 72)


@pytest.mark.parametrize(
    "code", [T.BACK_PAIN, T.SINS_7_OR_MORE, T.EPIDURAL_EXTENSION, T.ISOLATED_LESION]
)
def test_every_other_trigger_is_green_due_in_7_days(code: TriggerCode) -> None:
    result = urgency(**{**BASE, "trigger_codes": [code]})
    assert (result.level, result.due_within_hours) == (Urgency.GREEN, 168)


def test_red_beats_orange() -> None:
    assert (
        level(
            trigger_codes=[T.NEUROLOGICAL_DEFICIT, T.OCCULT_PRIMARY, T.SINS_7_OR_MORE], max_sins=15
        )
        is Urgency.RED
    )


def test_due_hours_table() -> None:
    assert dict(URGENCY_DUE_HOURS) == {Urgency.RED: 24, Urgency.ORANGE: 72, Urgency.GREEN: 168}


def test_due_at_runs_on_the_calendar_over_a_weekend() -> None:
    friday_evening = datetime(2026, 3, 6, 18, 30, tzinfo=UTC)
    assert urgency_due_at(Urgency.RED, friday_evening) == friday_evening + timedelta(hours=24)
    assert urgency_due_at(Urgency.ORANGE, friday_evening) == datetime(
        2026, 3, 9, 18, 30, tzinfo=UTC
    )
    assert urgency_due_at(Urgency.GREEN, friday_evening) == datetime(
        2026, 3, 13, 18, 30, tzinfo=UTC
    )
    assert urgency_due_at(None, friday_evening) is None


def test_due_at_refuses_an_unknown_urgency() -> None:
    with pytest.raises(ScoringInputError) as caught:
        urgency_due_at("amber", datetime(2026, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["urgency"]


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        urgency(trigger_codes=["itchy"], max_bilsky="9", max_sins=-1, subtype="basal")  # type: ignore[arg-type]
    assert set(caught.value.errors) == {"trigger_codes", "max_bilsky", "max_sins", "subtype"}
