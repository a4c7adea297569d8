"""Surgery candidacy checklist (CLINICAL.md §11, S1)."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.calculators import CandidacyCode, ScoringInputError, candidacy

C = CandidacyCode
BASE: dict[str, Any] = {
    "tokuhashi_total": 12,
    "tomita_total": 3,
    "kps": 80,
    "vertebral_metastases": 1,
    "extraspinal_bone_metastases": 0,
    "max_sins": 9,
}


def checklist(**changes: Any) -> dict[CandidacyCode, Any]:
    return {item.code: item for item in candidacy(**{**BASE, **changes})}


def test_six_principles_in_order_with_labels_and_evidence() -> None:
    items = candidacy(**BASE)
    assert [item.code for item in items] == list(CandidacyCode)
    assert all(item.label and item.evidence for item in items)
    assert items[0].to_dict() == {
        "code": "expected_survival_over_3_months",
        "label": "Expected survival over 3 months",
        "met": True,
        "evidence": "Tokuhashi 12 predicts 6 months or more.",
    }


@pytest.mark.parametrize(
    ("tokuhashi", "tomita", "met"),
    [(9, 10, True), (8, 8, False), (8, 7, None), (5, 5, None), (0, 10, False)],
)
def test_expected_survival_from_tokuhashi_and_tomita(
    tokuhashi: int, tomita: int, met: bool | None
) -> None:
    item = checklist(tokuhashi_total=tokuhashi, tomita_total=tomita)[
        C.EXPECTED_SURVIVAL_OVER_3_MONTHS
    ]
    assert item.met is met


@pytest.mark.parametrize(("kps", "met"), [(40, False), (50, True), (100, True)])
def test_general_condition_from_kps(kps: int, met: bool) -> None:
    assert checklist(kps=kps)[C.GENERAL_CONDITION_TOLERATES_SURGERY].met is met


def test_general_condition_evidence_says_when_kps_came_from_ecog() -> None:
    item = checklist(kps=70, kps_from_ecog=True)[C.GENERAL_CONDITION_TOLERATES_SURGERY]
    assert "from ECOG" in item.evidence


def test_quality_of_life_and_tumour_free_survival_are_not_told() -> None:
    found = checklist()
    assert found[C.BETTER_QUALITY_OF_LIFE_AND_MOBILITY].met is None
    assert found[C.LONG_TUMOUR_FREE_SURVIVAL].met is None


@pytest.mark.parametrize(
    ("vertebral", "extraspinal", "met"), [(1, 0, True), (2, 0, False), (1, 1, False)]
)
def test_isolated_bone_metastasis(vertebral: int, extraspinal: int, met: bool) -> None:
    found = checklist(vertebral_metastases=vertebral, extraspinal_bone_metastases=extraspinal)
    assert found[C.ISOLATED_BONE_METASTASIS].met is met


@pytest.mark.parametrize(("sins", "met"), [(6, False), (7, True), (13, True)])
def test_fracture_risk_from_sins(sins: int, met: bool) -> None:
    assert checklist(max_sins=sins)[C.HIGH_PATHOLOGICAL_FRACTURE_RISK].met is met


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        candidacy(**{**BASE, "tokuhashi_total": 16, "kps": True, "max_sins": None})
    assert set(caught.value.errors) == {"tokuhashi_total", "kps", "max_sins"}
