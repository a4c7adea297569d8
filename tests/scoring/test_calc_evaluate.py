"""evaluate() and evaluate_request(): the whole case, as the evaluate endpoint answers it."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from scoring.calculators import (
    RULES_VERSION,
    ScoringInputError,
    evaluate,
    evaluate_request,
    parse_evaluation_request,
    score_lesion,
)

REQUEST: dict[str, Any] = {
    "patient": {
        "primary_site": "breast",
        "subtype": "luminal_a",
        "receptors": {"er": True, "pr": False, "her2": False, "ki67": 12},
        "kps": 80,
        "frankel": "E",
        "neurological_deficit": False,
        "extraspinal_bone_metastases": 0,
        "vertebral_metastases": 2,
        "visceral_metastases": "none",
        "new_patient": False,
        "new_or_progressive_back_pain": False,
        "ambulatory": True,
        "albumin_g_dl": 3.8,
    },
    "lesions": [
        {
            "levels": ["T11", "T12"],
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "under_50",
            "posterolateral": "unilateral",
            "bilsky": "1b",
            "progressed_within_6_weeks": False,
            "progressed_after_radiation": False,
        }
    ],
}
QUIET_LESION: dict[str, Any] = {
    "levels": ["T6"], "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
    "collapse": "none", "posterolateral": "none", "bilsky": "0",
}  # fmt: skip
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def body(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(REQUEST)
    for path, value in changes.items():
        target: Any = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return data


def run(data: dict[str, Any]) -> dict[str, Any]:
    result = evaluate_request(data, now=NOW)
    # The endpoint returns this dict as JSON: it must round-trip unchanged.
    assert json.loads(json.dumps(result)) == result
    return result


def test_the_example_of_the_contract() -> None:
    result = run(REQUEST)
    assert list(result) == [
        "rules_version", "subtype", "lesions", "tokuhashi", "tomita", "modified_bauer", "nesms",
        "noms", "triggers", "urgency", "due_within_hours", "timing", "candidacy",
    ]  # fmt: skip
    assert result["rules_version"] == RULES_VERSION == "2026.2"
    assert result["subtype"] == "luminal_a"
    lesion = result["lesions"][0]
    assert set(lesion) == {"levels", "sins", "bilsky"}
    assert lesion["levels"] == ["T11", "T12"]
    assert lesion["sins"]["total"] == 11 and lesion["sins"]["band"] == "indeterminate"
    assert lesion["sins"]["components"] == {
        "location": 3, "pain": 3, "bone_lesion": 2, "alignment": 0, "collapse": 2,
        "posterolateral": 1,
    }  # fmt: skip
    assert lesion["bilsky"] == {"grade": "1b", "high_grade": False, "epidural_extension": True}
    tokuhashi = result["tokuhashi"]
    assert (tokuhashi["total"], tokuhashi["survival"]) == (14, "1_year_or_more")
    assert tokuhashi["kps_from_ecog"] is False and tokuhashi["modified_2014_total"] is None
    assert set(tokuhashi["components"]) == {
        "general_condition", "extraspinal_bone_metastases", "vertebral_metastases",
        "visceral_metastases", "primary_site", "palsy",
    }  # fmt: skip
    assert (result["tomita"]["total"], result["tomita"]["goal"]) == (3, "long_term_local_control")
    assert result["modified_bauer"]["total"] == 3
    assert result["nesms"]["total"] == 3
    assert result["noms"] == {
        "policy_version": "v2",
        "neurological": "low_grade",
        "oncological": "radiosensitive",
        "mechanical": "potentially_unstable",
        "systemic": "fit",
        "pathway": "cebrt",
        "stabilisation_required": False,
        "reasons": result["noms"]["reasons"],
        "rationale": result["noms"]["rationale"],
    }
    assert set(result["noms"]["reasons"]) == {
        "neurological", "oncological", "mechanical", "systemic", "pathway",
    }  # fmt: skip
    assert [t["code"] for t in result["triggers"]] == ["sins_7_or_more", "epidural_extension"]
    assert all(set(t) == {"code", "direction", "evidence"} for t in result["triggers"])
    assert (result["urgency"], result["due_within_hours"]) == ("green", 168)
    assert [t["code"] for t in result["timing"]] == ["luminal_a_elective_deferral"]
    assert [c["met"] for c in result["candidacy"]] == [True, True, None, None, False, True]


def test_ecog_only_marks_kps_from_ecog_everywhere() -> None:
    result = run(body(patient__kps=..., patient__ecog=3))
    assert result["tokuhashi"]["kps_from_ecog"] is True
    assert result["tokuhashi"]["components"]["general_condition"] == 1
    assert result["noms"]["systemic"] == "fit"  # ECOG 3 -> KPS 50
    assert "from ECOG" in result["candidacy"][1]["evidence"]


@pytest.mark.parametrize("missing", ["ambulatory", "albumin_g_dl"])
def test_nesms_only_when_both_of_its_inputs_are_given(missing: str) -> None:
    result = run(body(**{f"patient__{missing}": ...}))
    assert result["nesms"] is None
    assert result["modified_bauer"] is not None


def test_triple_negative_with_high_grade_compression() -> None:
    result = run(
        body(
            patient__subtype=...,
            patient__receptors={"er": False, "pr": False, "her2": False},
            lesions__0__bilsky="3",
        )
    )
    assert result["subtype"] == "triple_negative"
    assert (result["urgency"], result["due_within_hours"]) == ("red", 24)
    assert result["noms"]["oncological"] == "radioresistant"
    assert result["noms"]["pathway"] == "separation_surgery_srs"
    assert result["tokuhashi"]["modified_2014_total"] == result["tokuhashi"]["total"] - 2
    codes = [t["code"] for t in result["timing"]]
    assert codes == ["emergency_override", "triple_negative_surgery_within_hours"]


def test_occult_primary_goes_to_biopsy_and_breast_oncology() -> None:
    result = run(
        body(patient__primary_site="unknown", patient__subtype=..., patient__receptors=...)
    )
    assert result["subtype"] == "unknown"
    assert result["noms"]["oncological"] == "unknown"
    assert result["noms"]["pathway"] == "biopsy"
    occult = [t for t in result["triggers"] if t["code"] == "occult_primary"]
    assert occult and occult[0]["direction"] == "neuro_to_breast"
    assert result["urgency"] == "orange"
    assert result["modified_bauer"]["components"]["primary_not_lung"] == 0


def test_worst_lesion_drives_n_and_m_each_on_its_own() -> None:
    unstable_low_grade = dict(
        QUIET_LESION, levels=["L1"], pain="mechanical", bone_lesion="lytic",
        alignment="subluxation", collapse="over_50", posterolateral="bilateral",
    )  # fmt: skip
    compressing_stable = dict(QUIET_LESION, levels=["T4"], bilsky="2")
    result = run(
        body(lesions=[unstable_low_grade, compressing_stable], patient__vertebral_metastases=2)
    )
    assert [lesion["sins"]["total"] for lesion in result["lesions"]] == [18, 1]
    assert result["noms"]["neurological"] == "high_grade"
    assert result["noms"]["mechanical"] == "unstable"
    assert result["noms"]["stabilisation_required"] is True
    assert result["noms"]["pathway"] == "separation_surgery_srs"
    assert result["urgency"] == "orange"  # luminal A high-grade, SINS 18


def test_progression_after_radiation_on_any_lesion_makes_breast_radioresistant() -> None:
    second = dict(QUIET_LESION, progressed_after_radiation=True)
    result = run(body(lesions=[REQUEST["lesions"][0], second], patient__vertebral_metastases=3))
    assert result["noms"]["oncological"] == "radioresistant"
    assert result["noms"]["pathway"] == "srs"  # three vertebrae: not oligometastatic


def test_radioresistant_oligometastatic_goes_to_en_bloc() -> None:
    result = run(body(lesions__0__progressed_after_radiation=True))
    assert result["noms"]["pathway"] == "en_bloc_resection"


def test_unfit_patient_goes_to_palliative_care() -> None:
    result = run(body(patient__kps=40))
    assert result["noms"]["systemic"] == "unfit"
    assert result["noms"]["pathway"] == "palliative_care"


def test_neurological_deficit_is_red_and_overrides_timing_blocks() -> None:
    result = run(
        body(
            patient__frankel="C",
            patient__anc_per_mm3=900,
            patient__cdk46_inhibitor=True,
        )
    )
    assert (result["urgency"], result["due_within_hours"]) == ("red", 24)
    assert {t["severity"] for t in result["timing"]} == {"info"}
    assert [t["code"] for t in result["timing"]] == [
        "emergency_override", "anc_at_or_below_1500", "cdk46_inhibitor",
    ]  # fmt: skip


def test_timing_blocks_when_not_an_emergency() -> None:
    result = run(body(patient__anc_per_mm3=900))
    assert result["timing"][0] == {
        "code": "anc_at_or_below_1500",
        "severity": "block",
        "message": result["timing"][0]["message"],
    }


def test_bone_agent_pause_counts_to_now_without_a_planned_date() -> None:
    result = run(
        body(
            patient__bone_modifying_agent="zoledronic_acid",
            patient__bone_agent_last_dose="2026-03-01",
        )
    )
    warning = [t for t in result["timing"] if t["code"] == "bone_agent_within_4_weeks"]
    assert warning and "14 days before today" in warning[0]["message"]


def test_no_trigger_means_no_urgency() -> None:
    result = run(body(lesions=[QUIET_LESION], patient__vertebral_metastases=1))
    assert result["triggers"] == []
    assert (result["urgency"], result["due_within_hours"]) == (None, None)


def test_isolated_lesion_in_a_new_patient_and_back_pain() -> None:
    result = run(
        body(
            lesions=[QUIET_LESION],
            patient__vertebral_metastases=1,
            patient__new_patient=True,
            patient__new_or_progressive_back_pain=True,
        )
    )
    assert [t["code"] for t in result["triggers"]] == ["back_pain", "isolated_lesion"]
    assert "T6" in result["triggers"][1]["evidence"]
    assert result["urgency"] == "green"
    assert result["candidacy"][4]["met"] is True


def test_rapid_progression_flag_is_orange() -> None:
    result = run(body(lesions__0__progressed_within_6_weeks=True))
    assert "rapid_progression" in [t["code"] for t in result["triggers"]]
    assert result["urgency"] == "orange"


def test_evidence_names_levels_and_values_not_the_patient() -> None:
    result = run(body(patient__frankel="D"))
    evidence = " ".join(t["evidence"] for t in result["triggers"])
    assert "T11-T12" in evidence and "Frankel D" in evidence


def test_evaluate_on_hand_built_input_reports_every_error_with_its_path() -> None:
    inp = parse_evaluation_request(REQUEST)
    bad_lesion = dataclasses.replace(inp.lesions[0], levels=("Co1",), pain=None)
    bad = dataclasses.replace(
        inp,
        patient=dataclasses.replace(inp.patient, kps=85, vertebral_metastases=0),
        lesions=(bad_lesion,),
        systemic=dataclasses.replace(inp.systemic, anc_per_mm3=-1),
    )
    with pytest.raises(ScoringInputError) as caught:
        evaluate(bad)
    assert set(caught.value.errors) >= {
        "patient.kps", "patient.vertebral_metastases", "lesions[0].levels[0]", "lesions[0].pain",
        "systemic.anc_per_mm3",
    }  # fmt: skip


def test_evaluate_refuses_something_that_is_not_an_evaluation_input() -> None:
    with pytest.raises(ScoringInputError) as caught:
        evaluate(REQUEST)  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["non_field_errors"]


def test_results_are_frozen() -> None:
    result = evaluate(parse_evaluation_request(REQUEST))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.urgency = None  # type: ignore[misc]


def test_to_request_round_trips_so_stored_inputs_reproduce_the_scores() -> None:
    data = body(
        patient__anc_per_mm3=1200,
        patient__bone_modifying_agent="denosumab",
        patient__bone_agent_last_dose="2026-02-20",
        patient__planned_surgery_date="2026-03-05",
        patient__ecog=1,
    )
    inp = parse_evaluation_request(data)
    assert inp.to_request() == data
    assert parse_evaluation_request(json.loads(json.dumps(inp.to_request()))) == inp


def test_score_lesion_scores_one_stored_lesion() -> None:
    lesion = parse_evaluation_request(REQUEST).lesions[0]
    result = score_lesion(lesion)
    assert (result.sins.total, result.bilsky.high_grade) == (11, False)
    with pytest.raises(ScoringInputError) as caught:
        score_lesion(dataclasses.replace(lesion, levels=("T4", "T4"), bilsky="4"))  # type: ignore[arg-type]
    assert set(caught.value.errors) == {"levels[1]", "bilsky"}
