"""Modified Bauer and NESMS (CLINICAL.md §5)."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import (
    BauerBand,
    PrimarySite,
    ScoringInputError,
    VisceralMetastases,
    modified_bauer,
    nesms,
)

BEST: dict[str, Any] = {
    "primary_site": PrimarySite.BREAST,
    "visceral_metastases": VisceralMetastases.NONE,
    "vertebral_metastases": 1,
    "extraspinal_bone_metastases": 0,
}


def bauer(**changes: Any):
    return modified_bauer(**{**BEST, **changes})


def test_one_point_for_each_favourable_item() -> None:
    result = bauer()
    assert result.total == 4
    assert result.components == {
        "no_visceral_metastases": 1,
        "primary_not_lung": 1,
        "favourable_primary": 1,
        "solitary_skeletal_metastasis": 1,
    }
    assert result.band is BauerBand.MIDDLE_TERM_LOCAL_CONTROL


@pytest.mark.parametrize(
    ("site", "not_lung", "favourable"),
    [("breast", 1, 1), ("kidney", 1, 1), ("lung", 0, 0), ("prostate", 1, 0), ("other", 1, 0),
     ("unknown", 0, 0)],
)  # fmt: skip
def test_primary_items(site: str, not_lung: int, favourable: int) -> None:
    result = bauer(primary_site=PrimarySite(site))
    assert result.components["primary_not_lung"] == not_lung
    assert result.components["favourable_primary"] == favourable


@pytest.mark.parametrize("visceral", ["removable", "treatable", "untreatable"])
def test_any_visceral_metastasis_loses_the_point(visceral: str) -> None:
    result = bauer(visceral_metastases=VisceralMetastases(visceral))
    assert result.components["no_visceral_metastases"] == 0


def test_solitary_means_one_bone_metastasis_in_the_skeleton() -> None:
    assert bauer(extraspinal_bone_metastases=1).components["solitary_skeletal_metastasis"] == 0
    assert bauer(vertebral_metastases=2).components["solitary_skeletal_metastasis"] == 0


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        ({"primary_site": PrimarySite.LUNG, "visceral_metastases": VisceralMetastases.TREATABLE,
          "vertebral_metastases": 2}, 0, BauerBand.SUPPORTIVE_CARE),
        ({"primary_site": PrimarySite.LUNG, "vertebral_metastases": 2}, 1,
         BauerBand.SUPPORTIVE_CARE),
        ({"primary_site": PrimarySite.PROSTATE, "vertebral_metastases": 2}, 2,
         BauerBand.SHORT_TERM_PALLIATION),
        ({"vertebral_metastases": 2}, 3, BauerBand.MIDDLE_TERM_LOCAL_CONTROL),
    ],
)  # fmt: skip
def test_bauer_bands(changes: dict[str, Any], total: int, band: BauerBand) -> None:
    result = bauer(**changes)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("bauer_total", "ambulatory", "albumin", "total"),
    [
        (4, True, 3.5, 3),  # 2 + 1 + 1 = 4, capped at 3
        (3, True, 4.0, 3),
        (3, False, 3.49, 2),
        (2, True, 3.5, 2),
        (2, False, 3.4, 0),
        (0, True, 2.0, 1),
    ],
)
def test_nesms_points_and_cap_at_3(
    bauer_total: int, ambulatory: bool, albumin: float, total: int
) -> None:
    result = nesms(modified_bauer_total=bauer_total, ambulatory=ambulatory, albumin_g_dl=albumin)
    assert result.total == total
    assert result.total <= 3
    assert result.band is None


def test_nesms_cap_is_explained() -> None:
    result = nesms(modified_bauer_total=4, ambulatory=True, albumin_g_dl=4.1)
    assert sum(result.components.values()) == 4
    assert "capped at 3" in result.rationale[-1]


@pytest.mark.parametrize("albumin", [0, -1.0, 35, float("nan"), True, "3.8"])
def test_nesms_refuses_implausible_albumin(albumin: object) -> None:
    with pytest.raises(ScoringInputError) as caught:
        nesms(modified_bauer_total=3, ambulatory=True, albumin_g_dl=albumin)  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["albumin_g_dl"]


def test_nesms_refuses_non_boolean_ambulation() -> None:
    with pytest.raises(ScoringInputError) as caught:
        nesms(modified_bauer_total=3, ambulatory=1, albumin_g_dl=4.0)  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["ambulatory"]


def test_bauer_refuses_missing_inputs() -> None:
    with pytest.raises(ScoringInputError) as caught:
        modified_bauer(
            primary_site=PrimarySite.BREAST,
            visceral_metastases=None,  # type: ignore[arg-type]
            vertebral_metastases=0,
            extraspinal_bone_metastases=0,
        )
    assert set(caught.value.errors) == {"visceral_metastases", "vertebral_metastases"}
