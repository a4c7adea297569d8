"""SINS (CLINICAL.md §1): every level boundary, every component value, the band edges."""

from __future__ import annotations

import pytest

from scoring.calculators import (
    LEVELS,
    Alignment,
    BoneLesion,
    Collapse,
    Pain,
    Posterolateral,
    ScoringInputError,
    SinsBand,
    SpinalLevel,
    sins,
)

BASE = {
    "pain": Pain.NONE,
    "bone_lesion": BoneLesion.BLASTIC,
    "alignment": Alignment.NORMAL,
    "collapse": Collapse.NONE,
    "posterolateral": Posterolateral.NONE,
}


def score(levels: list[str], **changes: object):
    return sins(levels=[SpinalLevel(level) for level in levels], **{**BASE, **changes})


@pytest.mark.parametrize(
    ("level", "points"),
    [
        ("C0", 3), ("C1", 3), ("C2", 3), ("C3", 2), ("C6", 2), ("C7", 3),
        ("T1", 3), ("T2", 3), ("T3", 1), ("T10", 1), ("T11", 3), ("T12", 3),
        ("L1", 3), ("L2", 2), ("L4", 2), ("L5", 3), ("S1", 3), ("S2", 0), ("S5", 0),
    ],
)  # fmt: skip
def test_location_points_at_each_boundary_level(level: str, points: int) -> None:
    result = score([level])
    assert result.components["location"] == points
    assert result.total == points


def test_every_accepted_level_has_location_points() -> None:
    assert len(LEVELS) == 30
    for level in LEVELS:
        assert score([level.value]).components["location"] in (0, 1, 2, 3)


@pytest.mark.parametrize(
    ("levels", "points", "location_level"),
    [
        (["T10", "T11"], 3, "T11"),
        (["T2", "T3"], 3, "T2"),
        (["L4", "L5"], 3, "L5"),
        (["C2", "C3"], 3, "C2"),
        (["C6", "C7"], 3, "C7"),
        (["S1", "S2"], 3, "S1"),
        (["T5", "T6", "T7"], 1, "T5"),
        (["S3", "S4"], 0, "S3"),
        (["L2", "L3"], 2, "L2"),
    ],
)
def test_multi_level_lesion_takes_the_highest_location_points(
    levels: list[str], points: int, location_level: str
) -> None:
    result = score(levels)
    assert result.components["location"] == points
    assert result.location_level == location_level
    assert result.levels == tuple(SpinalLevel(level) for level in levels)


@pytest.mark.parametrize(("pain", "points"), [("mechanical", 3), ("occasional", 1), ("none", 0)])
def test_pain_points(pain: str, points: int) -> None:
    assert score(["S3"], pain=Pain(pain)).components["pain"] == points


@pytest.mark.parametrize(("lesion", "points"), [("lytic", 2), ("mixed", 1), ("blastic", 0)])
def test_bone_lesion_points(lesion: str, points: int) -> None:
    assert score(["S3"], bone_lesion=BoneLesion(lesion)).components["bone_lesion"] == points


@pytest.mark.parametrize(
    ("alignment", "points"), [("subluxation", 4), ("deformity", 2), ("normal", 0)]
)
def test_alignment_points(alignment: str, points: int) -> None:
    assert score(["S3"], alignment=Alignment(alignment)).components["alignment"] == points


@pytest.mark.parametrize(
    ("collapse", "points"),
    [("over_50", 3), ("under_50", 2), ("involved_over_50", 1), ("none", 0)],
)
def test_collapse_points(collapse: str, points: int) -> None:
    assert score(["S3"], collapse=Collapse(collapse)).components["collapse"] == points


@pytest.mark.parametrize(
    ("posterolateral", "points"), [("bilateral", 3), ("unilateral", 1), ("none", 0)]
)
def test_posterolateral_points(posterolateral: str, points: int) -> None:
    result = score(["S3"], posterolateral=Posterolateral(posterolateral))
    assert result.components["posterolateral"] == points


@pytest.mark.parametrize(
    ("total", "band"),
    [(6, SinsBand.STABLE), (7, SinsBand.INDETERMINATE), (12, SinsBand.INDETERMINATE),
     (13, SinsBand.UNSTABLE)],
)  # fmt: skip
def test_band_edges(total: int, band: SinsBand) -> None:
    # Semi-rigid T5 (1) plus pain and alignment reach each total exactly.
    combos = {
        6: {"pain": Pain.MECHANICAL, "bone_lesion": BoneLesion.LYTIC},  # 1+3+2
        7: {"pain": Pain.MECHANICAL, "bone_lesion": BoneLesion.LYTIC,
            "posterolateral": Posterolateral.UNILATERAL},  # 1+3+2+1
        12: {"pain": Pain.MECHANICAL, "bone_lesion": BoneLesion.LYTIC,
             "alignment": Alignment.SUBLUXATION, "collapse": Collapse.UNDER_50},  # 1+3+2+4+2
        13: {"pain": Pain.MECHANICAL, "bone_lesion": BoneLesion.LYTIC,
             "alignment": Alignment.SUBLUXATION, "collapse": Collapse.OVER_50},  # 1+3+2+4+3
    }  # fmt: skip
    result = score(["T5"], **combos[total])
    assert result.total == total
    assert result.band is band


def test_maximum_is_18_and_minimum_is_0() -> None:
    worst = score(
        ["T11"],
        pain=Pain.MECHANICAL,
        bone_lesion=BoneLesion.LYTIC,
        alignment=Alignment.SUBLUXATION,
        collapse=Collapse.OVER_50,
        posterolateral=Posterolateral.BILATERAL,
    )
    assert worst.total == 18
    assert worst.band is SinsBand.UNSTABLE
    assert score(["S4"]).total == 0


def test_result_carries_rationale_reference_and_rules_version() -> None:
    result = score(["T11", "T12"], pain=Pain.MECHANICAL)
    assert result.rationale[0].startswith("Location T11-T12")
    assert result.rationale[-1] == "SINS 6 of 18: stable."
    assert "Fisher" in result.reference and "§1" in result.reference
    assert result.rules_version == "2026.2"
    assert result.to_dict()["components"] == dict(result.components)


def test_plain_strings_score_like_enum_members() -> None:
    result = sins(
        levels=["L5"],  # type: ignore[list-item]
        pain="mechanical",  # type: ignore[arg-type]
        bone_lesion="lytic",  # type: ignore[arg-type]
        alignment="normal",  # type: ignore[arg-type]
        collapse="none",  # type: ignore[arg-type]
        posterolateral="none",  # type: ignore[arg-type]
    )
    assert result.total == 8
    assert result.levels == (SpinalLevel.L5,)


@pytest.mark.parametrize("coccyx", ["Co1", "CO2", "Cx1", "coccyx"])
def test_coccyx_is_an_error_not_a_score(coccyx: str) -> None:
    with pytest.raises(ScoringInputError) as caught:
        sins(levels=[coccyx], **BASE)  # type: ignore[list-item]
    assert caught.value.errors == {
        "levels[0]": [f"unknown level '{coccyx}': the coccyx is not scored"]
    }


def test_lower_case_level_is_refused_with_a_hint() -> None:
    with pytest.raises(ScoringInputError) as caught:
        sins(levels=["t11"], **BASE)  # type: ignore[list-item]
    assert "did you mean 'T11'" in caught.value.errors["levels[0]"][0]


def test_empty_and_duplicate_levels_are_refused() -> None:
    with pytest.raises(ScoringInputError) as caught:
        sins(levels=[], **BASE)
    assert "levels" in caught.value.errors
    with pytest.raises(ScoringInputError) as caught:
        sins(levels=[SpinalLevel.T4, SpinalLevel.T4], **BASE)
    assert caught.value.errors == {"levels[1]": ["duplicate level 'T4'"]}


def test_missing_components_are_errors_naming_every_field_never_zero() -> None:
    with pytest.raises(ScoringInputError) as caught:
        sins(
            levels=[SpinalLevel.T4],
            pain=None,  # type: ignore[arg-type]
            bone_lesion="chalky",  # type: ignore[arg-type]
            alignment=Alignment.NORMAL,
            collapse=None,  # type: ignore[arg-type]
            posterolateral=Posterolateral.NONE,
        )
    errors = caught.value.errors
    assert errors["pain"] == ["this field is required"]
    assert errors["collapse"] == ["this field is required"]
    assert "expected one of" in errors["bone_lesion"][0]
    assert set(errors) == {"pain", "bone_lesion", "collapse"}
