"""Bilsky ESCC grade (CLINICAL.md §2)."""

from __future__ import annotations

import pytest

from scoring.calculators import BilskyGrade, ScoringInputError, bilsky


@pytest.mark.parametrize(
    ("grade", "high_grade", "epidural"),
    [("0", False, False), ("1a", False, True), ("1b", False, True), ("1c", False, True),
     ("2", True, True), ("3", True, True)],
)  # fmt: skip
def test_high_grade_is_2_and_3_and_epidural_extension_starts_at_1a(
    grade: str, high_grade: bool, epidural: bool
) -> None:
    result = bilsky(grade=BilskyGrade(grade))
    assert result.grade is BilskyGrade(grade)
    assert result.high_grade is high_grade
    assert result.epidural_extension is epidural
    assert result.to_dict() == {
        "grade": grade,
        "high_grade": high_grade,
        "epidural_extension": epidural,
    }
    assert "Bilsky" in result.reference and "§2" in result.reference


@pytest.mark.parametrize("bad", [None, "4", "1d", 2, ["2"]])
def test_unknown_grade_is_an_error_naming_the_field(bad: object) -> None:
    with pytest.raises(ScoringInputError) as caught:
        bilsky(grade=bad)  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["grade"]
