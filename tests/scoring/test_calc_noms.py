"""NOMS decision (CLINICAL.md §7, service policy v1): each arm and every pathway rule in order."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import (
    BilskyGrade,
    MolecularSubtype,
    NomsMechanical,
    NomsNeurological,
    NomsOncological,
    NomsPathway,
    NomsSystemic,
    PrimarySite,
    ScoringInputError,
    VisceralMetastases,
    noms,
)

# Breast luminal A, Bilsky 0, SINS 3, KPS 90, Tomita 3, two vertebrae, nothing else: cEBRT.
BASE: dict[str, Any] = {
    "max_bilsky": BilskyGrade.GRADE_0,
    "max_sins": 3,
    "primary_site": PrimarySite.BREAST,
    "subtype": MolecularSubtype.LUMINAL_A,
    "progressed_after_radiation": False,
    "kps": 90,
    "tomita_total": 3,
    "vertebral_metastases": 2,
    "extraspinal_bone_metastases": 0,
    "visceral_metastases": VisceralMetastases.NONE,
}


def decide(**changes: Any):
    return noms(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("grade", "arm"),
    [("0", "low_grade"), ("1a", "low_grade"), ("1b", "low_grade"), ("1c", "low_grade"),
     ("2", "high_grade"), ("3", "high_grade")],
)  # fmt: skip
def test_neurological_arm(grade: str, arm: str) -> None:
    assert decide(max_bilsky=BilskyGrade(grade)).neurological is NomsNeurological(arm)


def test_bilsky_1c_is_low_grade_and_flagged_as_debated() -> None:
    result = decide(max_bilsky=BilskyGrade.GRADE_1C)
    assert result.neurological is NomsNeurological.LOW_GRADE
    assert "debated" in result.rationale[0]


@pytest.mark.parametrize(
    ("site", "subtype", "after_radiation", "arm"),
    [
        ("breast", "luminal_a", False, "radiosensitive"),
        ("breast", "luminal_b", False, "radiosensitive"),
        ("breast", "her2_enriched", False, "radiosensitive"),
        ("breast", "unknown", False, "radiosensitive"),
        ("breast", "triple_negative", False, "radioresistant"),
        ("prostate", "unknown", False, "radiosensitive"),
        ("carcinoid", "unknown", False, "radiosensitive"),
        ("kidney", "unknown", False, "radioresistant"),
        ("lung", "unknown", False, "radioresistant"),
        ("thyroid", "unknown", False, "radioresistant"),
        ("unknown", "unknown", False, "unknown"),
        ("breast", "luminal_a", True, "radioresistant"),
        ("prostate", "unknown", True, "radioresistant"),
        ("unknown", "unknown", True, "unknown"),  # unknown stays unknown: biopsy first
    ],
)
def test_oncological_arm(site: str, subtype: str, after_radiation: bool, arm: str) -> None:
    result = decide(
        primary_site=PrimarySite(site),
        subtype=MolecularSubtype(subtype),
        progressed_after_radiation=after_radiation,
    )
    assert result.oncological is NomsOncological(arm)


@pytest.mark.parametrize(
    ("sins", "arm", "stabilise"),
    [(0, "stable", False), (6, "stable", False), (7, "potentially_unstable", False),
     (12, "potentially_unstable", False), (13, "unstable", True), (18, "unstable", True)],
)  # fmt: skip
def test_mechanical_arm_and_stabilisation(sins: int, arm: str, stabilise: bool) -> None:
    result = decide(max_sins=sins)
    assert result.mechanical is NomsMechanical(arm)
    assert result.stabilisation_required is stabilise


@pytest.mark.parametrize(
    ("kps", "tomita", "arm"),
    [(50, 7, "fit"), (40, 7, "unfit"), (50, 8, "unfit"), (100, 2, "fit"), (0, 2, "unfit")],
)
def test_systemic_arm_kps_50_and_tomita_7(kps: int, tomita: int, arm: str) -> None:
    assert decide(kps=kps, tomita_total=tomita).systemic is NomsSystemic(arm)


def test_rule_1_unfit_goes_to_palliative_care_before_anything_else() -> None:
    result = decide(
        kps=40,
        primary_site=PrimarySite.UNKNOWN,
        subtype=MolecularSubtype.UNKNOWN,
        max_bilsky=BilskyGrade.GRADE_3,
        max_sins=15,
    )
    assert result.pathway is NomsPathway.PALLIATIVE_CARE
    assert result.stabilisation_required is True  # reported whatever the pathway


def test_rule_2_unknown_primary_goes_to_biopsy_before_high_grade_surgery() -> None:
    result = decide(
        primary_site=PrimarySite.UNKNOWN,
        subtype=MolecularSubtype.UNKNOWN,
        max_bilsky=BilskyGrade.GRADE_3,
    )
    assert result.pathway is NomsPathway.BIOPSY


def test_rule_3_high_grade_goes_to_separation_surgery_before_en_bloc() -> None:
    result = decide(
        max_bilsky=BilskyGrade.GRADE_2,
        subtype=MolecularSubtype.TRIPLE_NEGATIVE,
        vertebral_metastases=1,
    )
    assert result.pathway is NomsPathway.SEPARATION_SURGERY_SRS


@pytest.mark.parametrize(
    ("changes", "pathway"),
    [
        ({}, NomsPathway.EN_BLOC_RESECTION),
        ({"vertebral_metastases": 1}, NomsPathway.EN_BLOC_RESECTION),
        ({"vertebral_metastases": 3}, NomsPathway.SRS),
        ({"extraspinal_bone_metastases": 1}, NomsPathway.SRS),
        ({"visceral_metastases": VisceralMetastases.REMOVABLE}, NomsPathway.SRS),
    ],
)
def test_rule_4_and_5_radioresistant_oligometastatic_en_bloc_otherwise_srs(
    changes: dict[str, Any], pathway: NomsPathway
) -> None:
    result = decide(subtype=MolecularSubtype.TRIPLE_NEGATIVE, **changes)
    assert result.oncological is NomsOncological.RADIORESISTANT
    assert result.pathway is pathway


def test_rule_6_otherwise_cebrt() -> None:
    result = decide(max_bilsky=BilskyGrade.GRADE_1C, max_sins=12)
    assert result.pathway is NomsPathway.CEBRT
    assert result.to_dict() == {
        "neurological": "low_grade",
        "oncological": "radiosensitive",
        "mechanical": "potentially_unstable",
        "systemic": "fit",
        "pathway": "cebrt",
        "stabilisation_required": False,
        "rationale": list(result.rationale),
    }


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        decide(max_sins=19, tomita_total=1, kps=55, progressed_after_radiation=None)
    assert set(caught.value.errors) == {
        "max_sins", "tomita_total", "kps", "progressed_after_radiation",
    }  # fmt: skip
