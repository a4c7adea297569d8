"""NOMS decision (CLINICAL.md §7, service policy v2): each arm and every pathway rule in order."""

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

# Breast luminal A, Bilsky 0, SINS 3 with a painful lesion, KPS 90, Tomita 3, two vertebrae, no
# deficit: cEBRT (the pain asks for local treatment, so rule 6 does not apply).
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
    "lesions_painless": False,
    "neurological_deficit": False,
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


def test_rule_7_otherwise_cebrt() -> None:
    result = decide(max_bilsky=BilskyGrade.GRADE_1C, max_sins=12)
    assert result.pathway is NomsPathway.CEBRT
    assert result.to_dict() == {
        "policy_version": "v2",
        "neurological": "low_grade",
        "oncological": "radiosensitive",
        "mechanical": "potentially_unstable",
        "systemic": "fit",
        "pathway": "cebrt",
        "stabilisation_required": False,
        "reasons": result.to_dict()["reasons"],
        "rationale": list(result.rationale),
    }


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        decide(max_sins=19, tomita_total=1, kps=55, progressed_after_radiation=None,
               lesions_painless="yes", neurological_deficit=None)
    assert set(caught.value.errors) == {
        "max_sins", "tomita_total", "kps", "progressed_after_radiation", "lesions_painless",
        "neurological_deficit",
    }  # fmt: skip


# --- policy v2: rule 6, systemic therapy and observation --------------------------------------

# Painless, SINS 6 (stable), Bilsky 1b, no deficit, radiosensitive, fit: nothing asks for local
# treatment now.
QUIET: dict[str, Any] = {
    "lesions_painless": True, "max_sins": 6, "max_bilsky": BilskyGrade.GRADE_1B,
}  # fmt: skip


def test_rule_6_painless_stable_low_grade_without_deficit_is_observation() -> None:
    result = decide(**QUIET)
    assert result.pathway is NomsPathway.SYSTEMIC_THERAPY_OBSERVATION
    assert result.to_dict()["pathway"] == "systemic_therapy_observation"
    assert result.stabilisation_required is False
    assert result.policy_version == "v2"


@pytest.mark.parametrize("bilsky", ["0", "1a", "1b"])
def test_rule_6_holds_below_bilsky_1c(bilsky: str) -> None:
    result = decide(**{**QUIET, "max_bilsky": BilskyGrade(bilsky)})
    assert result.pathway is NomsPathway.SYSTEMIC_THERAPY_OBSERVATION


@pytest.mark.parametrize(
    ("change", "blocker"),
    [
        ({"lesions_painless": False}, "a painful lesion"),
        ({"max_sins": 7}, "SINS 7 or more"),
        ({"max_sins": 12}, "SINS 7 or more"),
        ({"max_bilsky": BilskyGrade.GRADE_1C}, "Bilsky 1c"),
        ({"neurological_deficit": True}, "a neurological deficit"),
    ],
)
def test_each_need_for_local_treatment_sends_rule_6_to_cebrt(
    change: dict[str, Any], blocker: str
) -> None:
    result = decide(**{**QUIET, **change})
    assert result.pathway is NomsPathway.CEBRT
    assert blocker in result.reasons["pathway"]


def test_sins_6_observation_sins_7_cebrt() -> None:
    assert decide(**QUIET).pathway is NomsPathway.SYSTEMIC_THERAPY_OBSERVATION
    assert decide(**{**QUIET, "max_sins": 7}).pathway is NomsPathway.CEBRT


def test_sins_14_painless_is_cebrt_with_stabilisation_never_observation() -> None:
    result = decide(**{**QUIET, "max_sins": 14})
    assert result.pathway is NomsPathway.CEBRT
    assert result.stabilisation_required is True
    assert result.mechanical is NomsMechanical.UNSTABLE
    assert "stabilisation" in result.rationale[-1].lower()


@pytest.mark.parametrize(
    ("change", "pathway"),
    [
        ({"kps": 40}, NomsPathway.PALLIATIVE_CARE),  # rule 1 before rule 6
        ({"tomita_total": 8}, NomsPathway.PALLIATIVE_CARE),
        ({"primary_site": PrimarySite.UNKNOWN, "subtype": MolecularSubtype.UNKNOWN},
         NomsPathway.BIOPSY),  # rule 2 before rule 6
        ({"subtype": MolecularSubtype.TRIPLE_NEGATIVE}, NomsPathway.EN_BLOC_RESECTION),  # rule 4
        ({"subtype": MolecularSubtype.TRIPLE_NEGATIVE, "vertebral_metastases": 3},
         NomsPathway.SRS),  # rule 5 before rule 6
        ({"progressed_after_radiation": True, "vertebral_metastases": 3}, NomsPathway.SRS),
    ],
)
def test_rules_1_to_5_come_before_observation(change: dict[str, Any], pathway: NomsPathway) -> None:
    assert decide(**{**QUIET, **change}).pathway is pathway


@pytest.mark.parametrize(
    ("kps", "tomita", "pathway"),
    [(50, 7, "systemic_therapy_observation"), (40, 7, "palliative_care"),
     (50, 8, "palliative_care"), (60, 6, "systemic_therapy_observation")],
)  # fmt: skip
def test_kps_50_and_tomita_7_boundaries_of_the_pathway(kps: int, tomita: int, pathway: str) -> None:
    assert decide(**QUIET, kps=kps, tomita_total=tomita).pathway == pathway


def test_reasons_name_each_arm_in_words_without_document_references() -> None:
    result = decide(max_bilsky=BilskyGrade.GRADE_2, max_sins=14, kps=80, tomita_total=3)
    assert result.reasons == {
        "neurological": "Bilsky 2: the spinal cord is compressed (high-grade compression).",
        "oncological": "Breast primary: radiosensitive by histology.",
        "mechanical": "SINS 14 (13-18): unstable, stabilisation indicated.",
        "systemic": "KPS 80 (50 or more), Tomita 3 (7 or less): fit for treatment.",
        "pathway": "Separation surgery then stereotactic radiotherapy: high-grade cord "
        "compression; decompression, then 18-24 Gy in 1-3 fractions.",
    }
    for text in (*result.reasons.values(), *result.rationale):
        assert "§" not in text and "CLINICAL" not in text and "_" not in text
