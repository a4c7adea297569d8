"""Revised Tokuhashi (CLINICAL.md §3), the ECOG-to-KPS policy and the 2014 variant."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import (
    ECOG_TO_KPS,
    Frankel,
    MolecularSubtype,
    PrimarySite,
    ScoringInputError,
    TokuhashiSurvival,
    VisceralMetastases,
    ecog_to_kps,
    performance_status,
    tokuhashi,
)

# Breast, KPS 80, no extraspinal, one vertebra, no organs, Frankel E: 2+2+2+2+5+2 = 15.
BEST: dict[str, Any] = {
    "primary_site": PrimarySite.BREAST,
    "kps": 80,
    "extraspinal_bone_metastases": 0,
    "vertebral_metastases": 1,
    "visceral_metastases": VisceralMetastases.NONE,
    "frankel": Frankel.E,
}


def score(**changes: Any):
    return tokuhashi(**{**BEST, **changes})


def test_best_case_is_15_one_year_or_more() -> None:
    result = score()
    assert result.total == 15
    assert result.band is TokuhashiSurvival.ONE_YEAR_OR_MORE
    assert result.to_dict()["survival"] == "1_year_or_more"
    assert result.kps_from_ecog is False
    assert result.modified_2014_total is None


@pytest.mark.parametrize(
    ("kps", "points"),
    [(0, 0), (10, 0), (40, 0), (50, 1), (70, 1), (80, 2), (100, 2)],
)
def test_general_condition_points_at_kps_40_50_and_70_80(kps: int, points: int) -> None:
    assert score(kps=kps).components["general_condition"] == points


@pytest.mark.parametrize(("foci", "points"), [(0, 2), (1, 1), (2, 1), (3, 0), (12, 0)])
def test_extraspinal_bone_foci_points(foci: int, points: int) -> None:
    assert score(extraspinal_bone_metastases=foci).components["extraspinal_bone_metastases"] == (
        points
    )


@pytest.mark.parametrize(("count", "points"), [(1, 2), (2, 1), (3, 0), (9, 0)])
def test_vertebral_body_metastases_points(count: int, points: int) -> None:
    assert score(vertebral_metastases=count).components["vertebral_metastases"] == points


@pytest.mark.parametrize(
    ("visceral", "points"),
    [("none", 2), ("removable", 1), ("treatable", 0), ("untreatable", 0)],
)
def test_visceral_mapping_policy(visceral: str, points: int) -> None:
    result = score(visceral_metastases=VisceralMetastases(visceral))
    assert result.components["visceral_metastases"] == points


@pytest.mark.parametrize(("grade", "points"), [("A", 0), ("B", 0), ("C", 1), ("D", 1), ("E", 2)])
def test_palsy_points_by_frankel(grade: str, points: int) -> None:
    assert score(frankel=Frankel(grade)).components["palsy"] == points


@pytest.mark.parametrize(
    ("site", "points"),
    [("lung", 0), ("osteosarcoma", 0), ("stomach", 0), ("bladder", 0), ("esophagus", 0),
     ("pancreas", 0), ("liver", 1), ("gallbladder", 1), ("unknown", 1), ("other", 2),
     ("kidney", 3), ("uterus", 3), ("rectum", 4), ("thyroid", 5), ("breast", 5),
     ("prostate", 5), ("carcinoid", 5)],
)  # fmt: skip
def test_primary_site_points(site: str, points: int) -> None:
    assert score(primary_site=PrimarySite(site)).components["primary_site"] == points


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        # 15 - 2 (organs untreatable) - 2 (3 foci) - 2 (3 vertebrae) - 1 (KPS 50) = 8
        ({"visceral_metastases": VisceralMetastases.UNTREATABLE, "extraspinal_bone_metastases": 3,
          "vertebral_metastases": 3, "kps": 50}, 8, TokuhashiSurvival.UNDER_6_MONTHS),
        ({"visceral_metastases": VisceralMetastases.UNTREATABLE, "extraspinal_bone_metastases": 3,
          "vertebral_metastases": 3}, 9, TokuhashiSurvival.SIX_MONTHS_OR_MORE),
        ({"visceral_metastases": VisceralMetastases.UNTREATABLE, "extraspinal_bone_metastases": 3,
          "vertebral_metastases": 2}, 10, TokuhashiSurvival.SIX_MONTHS_OR_MORE),
        ({"visceral_metastases": VisceralMetastases.UNTREATABLE, "extraspinal_bone_metastases": 3},
         11, TokuhashiSurvival.SIX_MONTHS_OR_MORE),
        ({"visceral_metastases": VisceralMetastases.UNTREATABLE, "extraspinal_bone_metastases": 1},
         12, TokuhashiSurvival.ONE_YEAR_OR_MORE),
    ],
)  # fmt: skip
def test_survival_band_edges_8_9_and_11_12(
    changes: dict[str, Any], total: int, band: TokuhashiSurvival
) -> None:
    result = score(**changes)
    assert result.total == total
    assert result.band is band


@pytest.mark.parametrize(
    ("ecog", "kps", "points"), [(0, 100, 2), (1, 80, 2), (2, 70, 1), (3, 50, 1), (4, 10, 0)]
)
def test_ecog_maps_to_the_lower_end_of_prasad_and_marks_kps_from_ecog(
    ecog: int, kps: int, points: int
) -> None:
    assert ECOG_TO_KPS[ecog] == kps
    assert ecog_to_kps(ecog) == kps
    status = performance_status(ecog=ecog)
    assert (status.kps, status.from_ecog) == (kps, True)
    result = score(kps=None, ecog=ecog)
    assert result.kps == kps
    assert result.kps_from_ecog is True
    assert result.components["general_condition"] == points
    assert result.to_dict()["kps_from_ecog"] is True
    assert "mapped from ECOG" in result.rationale[0]


def test_kps_wins_over_ecog_when_both_are_given() -> None:
    result = score(kps=40, ecog=0)
    assert result.kps == 40
    assert result.kps_from_ecog is False
    assert result.components["general_condition"] == 0


def test_neither_kps_nor_ecog_is_an_error_on_kps() -> None:
    with pytest.raises(ScoringInputError) as caught:
        score(kps=None)
    assert "ecog" in caught.value.errors["kps"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("kps", 85), ("kps", 110), ("kps", True), ("kps", 80.0), ("ecog", 5), ("ecog", False)],
)
def test_out_of_range_performance_status_is_refused(field: str, value: object) -> None:
    changes: dict[str, Any] = {field: value}
    if field == "ecog":
        changes["kps"] = None
    with pytest.raises(ScoringInputError) as caught:
        score(**changes)
    assert field in caught.value.errors


def test_2014_modified_total_only_for_triple_negative_breast() -> None:
    result = score(subtype=MolecularSubtype.TRIPLE_NEGATIVE)
    assert result.total == 15
    assert result.modified_2014_total == 13
    assert result.modified_2014_band is TokuhashiSurvival.ONE_YEAR_OR_MORE
    assert any("2014 modified" in sentence for sentence in result.rationale)
    for subtype in (MolecularSubtype.LUMINAL_A, MolecularSubtype.HER2_ENRICHED, None):
        assert score(subtype=subtype).modified_2014_total is None


def test_2014_variant_can_cross_a_band() -> None:
    # 2005 total 12 (1 year or more) becomes 10 (6 months or more) with breast scored 3.
    result = score(
        subtype=MolecularSubtype.TRIPLE_NEGATIVE,
        visceral_metastases=VisceralMetastases.UNTREATABLE,
        extraspinal_bone_metastases=1,
    )
    assert (result.total, result.modified_2014_total) == (12, 10)
    assert result.to_dict()["modified_2014_survival"] == "6_months_or_more"


def test_every_bad_input_is_reported_together() -> None:
    with pytest.raises(ScoringInputError) as caught:
        tokuhashi(
            primary_site="mars",  # type: ignore[arg-type]
            kps=None,
            extraspinal_bone_metastases=-1,
            vertebral_metastases=0,
            visceral_metastases=None,  # type: ignore[arg-type]
            frankel="F",  # type: ignore[arg-type]
        )
    assert set(caught.value.errors) == {
        "primary_site", "kps", "extraspinal_bone_metastases", "vertebral_metastases",
        "visceral_metastases", "frankel",
    }  # fmt: skip
