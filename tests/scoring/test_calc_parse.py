"""The JSON contract of POST /api/v1/scores/evaluate/: parsing and its errors, by field path."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from scoring.calculators import (
    BilskyGrade,
    BoneModifyingAgent,
    Frankel,
    MolecularSubtype,
    PrimarySite,
    ScoringInputError,
    SpinalLevel,
    parse_evaluation_request,
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


def body(**changes: Any) -> dict[str, Any]:
    """A copy of REQUEST with ``patient__kps=90`` style changes; ``...`` deletes the key."""
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


def errors_of(data: object) -> dict[str, list[str]]:
    with pytest.raises(ScoringInputError) as caught:
        parse_evaluation_request(data)
    errors = caught.value.errors
    assert all(isinstance(r, str) for reasons in errors.values() for r in reasons)
    return errors


def test_a_valid_request_becomes_typed_input() -> None:
    inp = parse_evaluation_request(REQUEST)
    assert inp.patient.primary_site is PrimarySite.BREAST
    assert inp.patient.subtype is MolecularSubtype.LUMINAL_A
    assert inp.patient.frankel is Frankel.E
    assert inp.patient.kps == 80 and inp.patient.ecog is None
    assert inp.patient.receptors is not None and inp.patient.receptors.ki67 == 12
    assert inp.lesions[0].levels == (SpinalLevel.T11, SpinalLevel.T12)
    assert inp.lesions[0].bilsky is BilskyGrade.GRADE_1B


def test_the_minimal_request_needs_no_optional_field() -> None:
    data = body(
        patient__subtype=..., patient__receptors=..., patient__neurological_deficit=...,
        patient__new_patient=..., patient__new_or_progressive_back_pain=...,
        patient__ambulatory=..., patient__albumin_g_dl=...,
        lesions__0__progressed_within_6_weeks=..., lesions__0__progressed_after_radiation=...,
    )  # fmt: skip
    inp = parse_evaluation_request(data)
    assert inp.patient.ambulatory is None and inp.patient.receptors is None


def test_null_optional_fields_are_absent() -> None:
    inp = parse_evaluation_request(body(patient__subtype=None, patient__ambulatory=None))
    assert inp.patient.subtype is None and inp.patient.ambulatory is None


@pytest.mark.parametrize("data", [[1, 2, 3], "patient", None, 42, 4.2, True])
def test_a_body_that_is_not_an_object_is_a_non_field_error(data: object) -> None:
    assert errors_of(data) == {"non_field_errors": ["expected a JSON object"]}


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (body(patient=...), "patient", "required"),
        (body(patient=[]), "patient", "object"),
        (body(patient__frankel=...), "patient.frankel", "required"),
        (body(patient__frankel=None), "patient.frankel", "required"),
        (body(patient__primary_site=...), "patient.primary_site", "required"),
        (body(patient__visceral_metastases=...), "patient.visceral_metastases", "required"),
        (body(patient__vertebral_metastases=...), "patient.vertebral_metastases", "required"),
        (body(lesions__0__bilsky=...), "lesions[0].bilsky", "required"),
        (body(lesions__0__levels=...), "lesions[0].levels", "required"),
    ],
)
def test_a_missing_field_is_named(data: dict[str, Any], field: str, fragment: str) -> None:
    errors = errors_of(data)
    assert field in errors, errors
    assert fragment in " ".join(errors[field])


def test_missing_kps_and_ecog_is_an_error_on_kps() -> None:
    errors = errors_of(body(patient__kps=...))
    assert errors == {
        "patient.kps": ["this field is required: give kps (0-100 in tens) or ecog (0-4)"]
    }


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (body(patient__primary_site="Breast"), "patient.primary_site", "'breast'"),
        (body(patient__subtype="luminal"), "patient.subtype", "expected one of"),
        (body(patient__frankel="e"), "patient.frankel", "'E'"),
        (body(patient__visceral_metastases="some"), "patient.visceral_metastases", "some"),
        (body(lesions__0__pain="sharp"), "lesions[0].pain", "sharp"),
        (body(lesions__0__bilsky=2), "lesions[0].bilsky", "'2'"),
        (body(lesions__0__collapse="50"), "lesions[0].collapse", "over_50"),
        (body(patient__bone_modifying_agent="pamidronate"), "patient.bone_modifying_agent", ""),
    ],
)
def test_a_wrong_enum_value_is_named_with_the_choices(
    data: dict[str, Any], field: str, fragment: str
) -> None:
    errors = errors_of(data)
    assert list(errors) == [field]
    assert fragment in errors[field][0]


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        (body(patient__extraspinal_bone_metastases=True), "patient.extraspinal_bone_metastases",
         "expected an integer"),
        (body(patient__vertebral_metastases=False), "patient.vertebral_metastases",
         "expected an integer"),
        (body(patient__kps=True), "patient.kps", "expected an integer"),
        (body(patient__extraspinal_bone_metastases=1.5), "patient.extraspinal_bone_metastases",
         "expected an integer"),
        (body(patient__extraspinal_bone_metastases="1"), "patient.extraspinal_bone_metastases",
         "expected an integer"),
        (body(patient__extraspinal_bone_metastases=-1), "patient.extraspinal_bone_metastases",
         "must be an integer of at least 0"),
        (body(patient__neurological_deficit="true"), "patient.neurological_deficit",
         "expected a boolean (true or false)"),
        (body(patient__new_patient=1), "patient.new_patient", "expected a boolean (true or false)"),
        (body(lesions__0__progressed_within_6_weeks=0), "lesions[0].progressed_within_6_weeks",
         "expected a boolean (true or false)"),
        (body(patient__receptors__er="yes"), "patient.receptors.er",
         "expected a boolean (true or false)"),
        (body(patient__kps=85), "patient.kps", "must be a multiple of 10 between 0 and 100"),
        (body(patient__kps=110), "patient.kps", "must be a multiple of 10 between 0 and 100"),
        (body(patient__kps=..., patient__ecog=5), "patient.ecog",
         "must be an integer between 0 and 4 (ECOG 5, death, is not scored)"),
        (body(patient__albumin_g_dl=38), "patient.albumin_g_dl", "g/L"),
        (body(patient__albumin_g_dl="3.8"), "patient.albumin_g_dl", "expected a number"),
        (body(patient__receptors__ki67=101), "patient.receptors.ki67", "percentage"),
    ],
)  # fmt: skip
def test_types_are_strict(data: dict[str, Any], field: str, reason: str) -> None:
    errors = errors_of(data)
    assert list(errors) == [field], errors
    assert reason in errors[field][0]


def test_integral_floats_are_integers() -> None:
    inp = parse_evaluation_request(body(patient__kps=80.0, patient__vertebral_metastases=2.0))
    assert inp.patient.kps == 80 and type(inp.patient.kps) is int
    assert type(inp.patient.vertebral_metastases) is int


def test_kps_wins_but_both_must_be_valid() -> None:
    inp = parse_evaluation_request(body(patient__ecog=3))
    assert (inp.patient.kps, inp.patient.ecog) == (80, 3)
    assert list(errors_of(body(patient__ecog=7))) == ["patient.ecog"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (body(extra=1), "extra"),
        (body(patient__kps_score=80), "patient.kps_score"),
        (body(patient__receptors__pgr=True), "patient.receptors.pgr"),
        (body(lesions__0__sins=11), "lesions[0].sins"),
    ],
)
def test_unknown_keys_are_refused_so_typos_are_caught(data: dict[str, Any], field: str) -> None:
    assert errors_of(data) == {field: ["unknown field"]}


@pytest.mark.parametrize(
    ("levels", "field", "reason"),
    [
        (["Co1"], "lesions[0].levels[0]", "unknown level 'Co1': the coccyx is not scored"),
        (["T11", "Co2"], "lesions[0].levels[1]", "unknown level 'Co2': the coccyx is not scored"),
        (["T13"], "lesions[0].levels[0]", "unknown level 'T13'"),
        (["t11"], "lesions[0].levels[0]", "did you mean 'T11'"),
        (["T11", "T11"], "lesions[0].levels[1]", "duplicate level 'T11'"),
        ([], "lesions[0].levels", "at least one level"),
        ("T11", "lesions[0].levels", "expected a list"),
        ([11], "lesions[0].levels[0]", "expected a level name"),
    ],
)
def test_level_errors_are_named(levels: object, field: str, reason: str) -> None:
    errors = errors_of(body(lesions__0__levels=levels, patient__vertebral_metastases=2))
    assert field in errors, errors
    assert reason in errors[field][0]


@pytest.mark.parametrize(
    ("lesions", "reason"),
    [([], "at least one lesion is required"), ({}, "expected a list"), (None, "required")],
)
def test_lesions_must_be_a_non_empty_list(lesions: object, reason: str) -> None:
    errors = errors_of(body(lesions=lesions))
    assert list(errors) == ["lesions"]
    assert reason in errors["lesions"][0]


def test_a_lesion_must_be_an_object() -> None:
    assert errors_of(body(lesions=["T11"])) == {"lesions[0]": ["expected an object"]}


def test_vertebral_count_below_distinct_levels_is_an_error() -> None:
    errors = errors_of(body(patient__vertebral_metastases=1))
    assert errors == {
        "patient.vertebral_metastases": [
            "must be at least 2, the number of distinct levels in lesions "
            "(the count includes every involved vertebra)"
        ]
    }


def test_vertebral_count_counts_distinct_levels_across_lesions() -> None:
    second = dict(REQUEST["lesions"][0], levels=["T12", "L1"])
    assert errors_of(body(lesions=[REQUEST["lesions"][0], second]))["patient.vertebral_metastases"][
        0
    ].startswith("must be at least 3")
    parse_evaluation_request(
        body(lesions=[REQUEST["lesions"][0], second], patient__vertebral_metastases=3)
    )


def test_every_error_of_a_request_is_reported_at_once() -> None:
    data = body(
        patient__kps=85,
        patient__frankel=...,
        patient__new_patient="no",
        lesions__0__levels=["Co1"],
        lesions__0__pain="sharp",
    )
    data["lesions"].append({"levels": ["L2"]})
    errors = errors_of(data)
    assert set(errors) >= {
        "patient.kps", "patient.frankel", "patient.new_patient", "lesions[0].levels[0]",
        "lesions[0].pain", "lesions[1].pain", "lesions[1].bone_lesion", "lesions[1].bilsky",
    }  # fmt: skip


def test_a_subtype_that_conflicts_with_the_receptors_is_an_error_on_patient_subtype() -> None:
    errors = errors_of(body(patient__subtype="triple_negative"))
    assert list(errors) == ["patient.subtype"]
    assert "conflicts with the receptors" in errors["patient.subtype"][0]


def test_receptors_on_a_non_breast_primary_are_an_error() -> None:
    errors = errors_of(body(patient__primary_site="prostate", patient__subtype=...))
    assert list(errors) == ["patient.receptors"]


def test_optional_systemic_therapy_keys() -> None:
    inp = parse_evaluation_request(
        body(
            patient__anc_per_mm3=1200,
            patient__cdk46_inhibitor=True,
            patient__bone_modifying_agent="denosumab",
            patient__bone_agent_last_dose="2026-02-20",
            patient__planned_surgery_date="2026-03-05",
        )
    )
    assert inp.systemic.anc_per_mm3 == 1200
    assert inp.systemic.cdk46_inhibitor is True
    assert inp.systemic.bone_modifying_agent is BoneModifyingAgent.DENOSUMAB
    assert inp.systemic.bone_agent_last_dose == date(2026, 2, 20)
    assert inp.systemic.planned_surgery_date == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient__planned_surgery_date": "2026-02-30"}, "patient.planned_surgery_date"),
        ({"patient__planned_surgery_date": "20260301"}, "patient.planned_surgery_date"),
        ({"patient__bone_agent_last_dose": "2026-02-01"}, "patient.bone_agent_last_dose"),
        ({"patient__anc_per_mm3": 1500.5}, "patient.anc_per_mm3"),
        ({"patient__cdk46_inhibitor": "false"}, "patient.cdk46_inhibitor"),
    ],
)
def test_systemic_therapy_errors(changes: dict[str, Any], field: str) -> None:
    assert list(errors_of(body(**changes))) == [field]
