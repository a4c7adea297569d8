"""Tomita score (CLINICAL.md §4): growth classes, visceral policy, solitary policy, bands."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import (
    PrimarySite,
    ScoringInputError,
    TomitaGoal,
    TomitaGrowth,
    VisceralMetastases,
    tomita,
)

BASE: dict[str, Any] = {
    "primary_site": PrimarySite.BREAST,
    "visceral_metastases": VisceralMetastases.NONE,
    "vertebral_metastases": 1,
    "extraspinal_bone_metastases": 0,
}


def score(**changes: Any):
    return tomita(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("site", "growth", "points"),
    [("breast", "slow", 1), ("thyroid", "slow", 1), ("prostate", "slow", 1),
     ("carcinoid", "slow", 1), ("kidney", "moderate", 2), ("uterus", "moderate", 2),
     ("lung", "rapid", 4), ("stomach", "rapid", 4), ("liver", "rapid", 4),
     ("esophagus", "rapid", 4), ("pancreas", "rapid", 4), ("gallbladder", "rapid", 4),
     ("bladder", "rapid", 4), ("osteosarcoma", "rapid", 4), ("rectum", "rapid", 4),
     ("other", "rapid", 4), ("unknown", "rapid", 4)],
)  # fmt: skip
def test_each_growth_class(site: str, growth: str, points: int) -> None:
    result = score(primary_site=PrimarySite(site))
    assert result.growth is TomitaGrowth(growth)
    assert result.components["primary_growth"] == points


@pytest.mark.parametrize(
    ("visceral", "points"),
    [("none", 0), ("removable", 2), ("treatable", 2), ("untreatable", 4)],
)
def test_visceral_mapping_policy(visceral: str, points: int) -> None:
    assert (
        score(visceral_metastases=VisceralMetastases(visceral)).components["visceral_metastases"]
        == points
    )


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "points"), [(1, 0, 1), (2, 0, 2), (1, 1, 2), (5, 7, 2)]
)
def test_solitary_means_one_bone_metastasis_in_the_whole_skeleton(
    vertebral: int, extraspinal: int, points: int
) -> None:
    result = score(vertebral_metastases=vertebral, extraspinal_bone_metastases=extraspinal)
    assert result.components["bone_metastases"] == points


@pytest.mark.parametrize(
    ("changes", "total", "goal"),
    [
        ({}, 2, TomitaGoal.LONG_TERM_LOCAL_CONTROL),
        ({"vertebral_metastases": 2}, 3, TomitaGoal.LONG_TERM_LOCAL_CONTROL),
        ({"primary_site": PrimarySite.KIDNEY, "vertebral_metastases": 2}, 4,
         TomitaGoal.MIDDLE_TERM_LOCAL_CONTROL),
        ({"primary_site": PrimarySite.LUNG}, 5, TomitaGoal.MIDDLE_TERM_LOCAL_CONTROL),
        ({"primary_site": PrimarySite.LUNG, "vertebral_metastases": 2}, 6,
         TomitaGoal.SHORT_TERM_PALLIATION),
        ({"primary_site": PrimarySite.LUNG, "visceral_metastases": VisceralMetastases.TREATABLE},
         7, TomitaGoal.SHORT_TERM_PALLIATION),
        ({"primary_site": PrimarySite.LUNG, "visceral_metastases": VisceralMetastases.TREATABLE,
          "vertebral_metastases": 2}, 8, TomitaGoal.TERMINAL_CARE),
        ({"primary_site": PrimarySite.LUNG, "visceral_metastases": VisceralMetastases.UNTREATABLE,
          "vertebral_metastases": 2}, 10, TomitaGoal.TERMINAL_CARE),
    ],
)  # fmt: skip
def test_goal_band_edges_3_4_5_6_7_8(changes: dict[str, Any], total: int, goal: TomitaGoal) -> None:
    result = score(**changes)
    assert result.total == total
    assert result.band is goal
    assert result.to_dict()["goal"] == goal.value
    assert "Tomita" in result.reference and "§4" in result.reference


def test_missing_and_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        tomita(
            primary_site=None,  # type: ignore[arg-type]
            visceral_metastases="some",  # type: ignore[arg-type]
            vertebral_metastases=True,
            extraspinal_bone_metastases=1.5,  # type: ignore[arg-type]
        )
    assert set(caught.value.errors) == {
        "primary_site", "visceral_metastases", "vertebral_metastases",
        "extraspinal_bone_metastases",
    }  # fmt: skip
    assert caught.value.errors["primary_site"] == ["this field is required"]
