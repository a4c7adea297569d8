"""MDT agenda priority (CLINICAL.md §13, service policy v1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scoring.calculators import (
    BilskyGrade,
    ScoringInputError,
    Urgency,
    priority_key,
    priority_reason,
)

EARLY = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def key(urgency: Urgency | None, sins: int | None, bilsky: str | None, at: datetime = LATE):
    return priority_key(
        urgency=urgency,
        max_sins=sins,
        max_bilsky=BilskyGrade(bilsky) if bilsky is not None else None,
        referred_at=at,
    )


def test_agenda_order_urgency_then_sins_then_bilsky_then_oldest_referral() -> None:
    cases = {
        "green_high_sins": key(Urgency.GREEN, 18, "3"),
        "red": key(Urgency.RED, 2, "0"),
        "orange_sins_10_b1a": key(Urgency.ORANGE, 10, "1a"),
        "orange_sins_10_b2_late": key(Urgency.ORANGE, 10, "2"),
        "orange_sins_10_b2_early": key(Urgency.ORANGE, 10, "2", EARLY),
        "orange_sins_12": key(Urgency.ORANGE, 12, "0"),
        "no_urgency": key(None, 17, "3"),
    }
    ordered = sorted(cases, key=cases.__getitem__)
    assert ordered == [
        "red",
        "orange_sins_12",
        "orange_sins_10_b2_early",
        "orange_sins_10_b2_late",
        "orange_sins_10_b1a",
        "green_high_sins",
        "no_urgency",
    ]


def test_missing_sins_and_bilsky_sort_last_within_their_group() -> None:
    cases = {
        "sins_0": key(Urgency.ORANGE, 0, "0"),
        "no_sins": key(Urgency.ORANGE, None, "3", EARLY),
        "no_bilsky": key(Urgency.ORANGE, 0, None, EARLY),
        "green": key(Urgency.GREEN, 5, "1a"),
    }
    assert sorted(cases, key=cases.__getitem__) == ["sins_0", "no_bilsky", "no_sins", "green"]


def test_reason_in_words() -> None:
    reason = priority_reason(
        urgency=Urgency.RED, max_sins=14, max_bilsky=BilskyGrade.GRADE_2, referred_at=EARLY
    )
    assert reason == (
        "Red urgency (emergency), then highest SINS 14, then highest Bilsky grade 2, "
        "referred 2026-03-01 08:00 UTC."
    )
    assert "no SINS recorded" in priority_reason(
        urgency=None, max_sins=None, max_bilsky=None, referred_at=EARLY
    )


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        priority_key(urgency="amber", max_sins=True, max_bilsky="5", referred_at="yesterday")  # type: ignore[arg-type]
    assert set(caught.value.errors) == {"urgency", "max_sins", "max_bilsky", "referred_at"}
