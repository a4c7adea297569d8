"""Properties over the whole input space (hypothesis): ranges, monotonicity, robustness."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.calculators import (
    LEVELS,
    Alignment,
    BoneLesion,
    Collapse,
    Frankel,
    Pain,
    Posterolateral,
    PrimarySite,
    ScoringInputError,
    VisceralMetastases,
    evaluate_request,
    parse_evaluation_request,
    sins,
    tokuhashi,
    tomita,
)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Each ordering runs from best to worst.
PAIN = [Pain.NONE, Pain.OCCASIONAL, Pain.MECHANICAL]
BONE = [BoneLesion.BLASTIC, BoneLesion.MIXED, BoneLesion.LYTIC]
ALIGNMENT = [Alignment.NORMAL, Alignment.DEFORMITY, Alignment.SUBLUXATION]
COLLAPSE = [Collapse.NONE, Collapse.INVOLVED_OVER_50, Collapse.UNDER_50, Collapse.OVER_50]
POSTEROLATERAL = [Posterolateral.NONE, Posterolateral.UNILATERAL, Posterolateral.BILATERAL]
VISCERAL = [VisceralMetastases.NONE, VisceralMetastases.REMOVABLE, VisceralMetastases.TREATABLE,
            VisceralMetastases.UNTREATABLE]  # fmt: skip
FRANKEL = [Frankel.E, Frankel.D, Frankel.C, Frankel.B, Frankel.A]
KPS = list(range(100, -1, -10))
SINS_ORDERS = {
    "pain": PAIN,
    "bone_lesion": BONE,
    "alignment": ALIGNMENT,
    "collapse": COLLAPSE,
    "posterolateral": POSTEROLATERAL,
}

levels_st = st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4, unique=True)
sins_args = st.fixed_dictionaries(
    {"levels": levels_st, **{name: st.sampled_from(order) for name, order in SINS_ORDERS.items()}}
)
counts = st.integers(min_value=0, max_value=40)
tokuhashi_args = st.fixed_dictionaries(
    {
        "primary_site": st.sampled_from(list(PrimarySite)),
        "kps": st.sampled_from(KPS),
        "extraspinal_bone_metastases": counts,
        "vertebral_metastases": st.integers(min_value=1, max_value=30),
        "visceral_metastases": st.sampled_from(VISCERAL),
        "frankel": st.sampled_from(FRANKEL),
    }
)
tomita_args = st.fixed_dictionaries(
    {
        "primary_site": st.sampled_from(list(PrimarySite)),
        "visceral_metastases": st.sampled_from(VISCERAL),
        "vertebral_metastases": st.integers(min_value=1, max_value=30),
        "extraspinal_bone_metastases": counts,
    }
)


def worse(order: list[Any], value: Any) -> list[Any]:
    return order[order.index(value) + 1 :]


@FAST
@given(sins_args)
def test_sins_is_always_between_0_and_18_and_the_sum_of_its_components(
    args: dict[str, Any],
) -> None:
    result = sins(**args)
    assert 0 <= result.total <= 18
    assert result.total == sum(result.components.values())


@FAST
@given(sins_args, st.sampled_from(sorted(SINS_ORDERS)), st.data())
def test_a_worse_sins_component_never_lowers_sins(
    args: dict[str, Any], name: str, data: st.DataObject
) -> None:
    candidates = worse(SINS_ORDERS[name], args[name])
    if not candidates:
        return
    changed = dict(args, **{name: data.draw(st.sampled_from(candidates))})
    assert sins(**changed).total >= sins(**args).total


@FAST
@given(sins_args, st.sampled_from(LEVELS))
def test_adding_a_level_never_lowers_sins(args: dict[str, Any], level: Any) -> None:
    if level in args["levels"]:
        return
    assert sins(**dict(args, levels=[*args["levels"], level])).total >= sins(**args).total


@FAST
@given(tokuhashi_args)
def test_tokuhashi_is_always_between_0_and_15(args: dict[str, Any]) -> None:
    result = tokuhashi(**args)
    assert 0 <= result.total <= 15
    assert result.total == sum(result.components.values())


@FAST
@given(tokuhashi_args, st.sampled_from(["kps", "visceral_metastases", "frankel",
                                        "extraspinal_bone_metastases", "vertebral_metastases"]),
       st.data())  # fmt: skip
def test_a_worse_tokuhashi_item_never_raises_tokuhashi(
    args: dict[str, Any], name: str, data: st.DataObject
) -> None:
    orders = {"kps": KPS, "visceral_metastases": VISCERAL, "frankel": FRANKEL}
    if name in orders:
        candidates = worse(orders[name], args[name])
        if not candidates:
            return
        value: Any = data.draw(st.sampled_from(candidates))
    else:
        value = args[name] + data.draw(st.integers(min_value=1, max_value=10))
    assert tokuhashi(**dict(args, **{name: value})).total <= tokuhashi(**args).total


@FAST
@given(tomita_args)
def test_tomita_is_always_between_2_and_10(args: dict[str, Any]) -> None:
    result = tomita(**args)
    assert 2 <= result.total <= 10
    assert result.total == sum(result.components.values())


@FAST
@given(tomita_args, st.sampled_from(["primary_site", "visceral_metastases", "bones"]), st.data())
def test_a_worse_tomita_item_never_lowers_tomita(
    args: dict[str, Any], name: str, data: st.DataObject
) -> None:
    before = tomita(**args)
    if name == "primary_site":
        faster = [site for site in PrimarySite
                  if tomita(**dict(args, primary_site=site)).components["primary_growth"]
                  >= before.components["primary_growth"]]  # fmt: skip
        changed = dict(args, primary_site=data.draw(st.sampled_from(faster)))
    elif name == "visceral_metastases":
        candidates = worse(VISCERAL, args[name])
        if not candidates:
            return
        changed = dict(args, visceral_metastases=data.draw(st.sampled_from(candidates)))
    else:
        changed = dict(
            args,
            extraspinal_bone_metastases=args["extraspinal_bone_metastases"]
            + data.draw(st.integers(min_value=1, max_value=5)),
        )
    assert tomita(**changed).total >= before.total


# --- robustness: evaluate_request only ever raises ScoringInputError --------------------------

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

VALID: dict[str, Any] = {
    "patient": {
        "primary_site": "breast",
        "receptors": {"er": True, "pr": False, "her2": False, "ki67": 12},
        "kps": 80,
        "frankel": "E",
        "extraspinal_bone_metastases": 0,
        "vertebral_metastases": 2,
        "visceral_metastases": "none",
        "ambulatory": True,
        "albumin_g_dl": 3.8,
        "anc_per_mm3": 1200,
        "bone_modifying_agent": "denosumab",
        "bone_agent_last_dose": "2026-02-01",
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
        }
    ],
}
PATIENT_KEYS = [
    *sorted(VALID["patient"]),
    *("subtype", "ecog", "neurological_deficit", "new_patient", "cdk46_inhibitor"),
    *("planned_surgery_date", "unknown_key"),
]
LESION_KEYS = [
    *sorted(VALID["lesions"][0]),
    "progressed_within_6_weeks",
    "progressed_after_radiation",
]
plausible = json_values | st.sampled_from(
    ["T4", "Co1", "1a", "3", "luminal_a", "triple_negative", "none", "lytic", "E", "A",
     "unknown", "2026-03-01", 0, 1, 2, 10, 50, 80, 100, True, False, 3.5, 80.0, -1, [], {}]
)  # fmt: skip


def _assert_only_scoring_errors(data: object) -> None:
    try:
        result = evaluate_request(data)
    except ScoringInputError as error:
        assert error.errors
        assert all(isinstance(key, str) for key in error.errors)
        assert all(
            isinstance(reason, str) for reasons in error.errors.values() for reason in reasons
        )
        json.dumps(error.errors)
    else:
        assert json.loads(json.dumps(result)) == result


@FAST
@given(json_values)
def test_arbitrary_json_only_ever_raises_scoring_input_error(data: object) -> None:
    _assert_only_scoring_errors(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["patient", "lesion", "receptors", "top"]),
                  st.sampled_from(PATIENT_KEYS + LESION_KEYS + ["er", "ki67", "lesions"]),
                  plausible),
        min_size=1, max_size=4,
    )
)  # fmt: skip
def test_a_valid_request_with_fields_replaced_only_ever_raises_scoring_input_error(
    edits: list[tuple[str, str, Any]],
) -> None:
    _assert_only_scoring_errors(apply_edits(edits))


def apply_edits(edits: list[tuple[str, str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for where, key, value in edits:
        lesions = data.get("lesions")
        receptors = data["patient"].get("receptors")
        if where == "patient":
            data["patient"][key] = value
        elif where == "lesion" and isinstance(lesions, list) and lesions:
            if isinstance(lesions[0], dict):
                lesions[0][key] = value
        elif where == "receptors" and isinstance(receptors, dict):
            receptors[key] = value
        elif where == "top":
            data[key] = value
    return data


# --- valid requests: the contract holds for every one ------------------------------------------


@st.composite
def valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    site = draw(st.sampled_from([s.value for s in PrimarySite]))
    start = draw(st.integers(min_value=0, max_value=len(LEVELS) - 1))
    lesion_levels: list[list[str]] = []
    position = start
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        width = draw(st.integers(min_value=1, max_value=3))
        levels = [level.value for level in LEVELS[position : position + width]]
        if not levels:
            break
        lesion_levels.append(levels)
        position += width + draw(st.integers(min_value=0, max_value=3))
    lesions = [
        {
            "levels": levels,
            **{name: draw(st.sampled_from([v.value for v in order]))
               for name, order in SINS_ORDERS.items()},
            "bilsky": draw(st.sampled_from(["0", "1a", "1b", "1c", "2", "3"])),
            "progressed_within_6_weeks": draw(st.booleans()),
            "progressed_after_radiation": draw(st.booleans()),
        }
        for levels in lesion_levels
    ]  # fmt: skip
    distinct = sum(len(levels) for levels in lesion_levels)
    patient: dict[str, Any] = {
        "primary_site": site,
        "frankel": draw(st.sampled_from("ABCDE")),
        "extraspinal_bone_metastases": draw(st.integers(min_value=0, max_value=6)),
        "vertebral_metastases": distinct + draw(st.integers(min_value=0, max_value=4)),
        "visceral_metastases": draw(st.sampled_from([v.value for v in VISCERAL])),
        "new_patient": draw(st.booleans()),
        "new_or_progressive_back_pain": draw(st.booleans()),
    }
    if draw(st.booleans()):
        patient["kps"] = draw(st.sampled_from(KPS))
    else:
        patient["ecog"] = draw(st.integers(min_value=0, max_value=4))
    if site in ("breast", "unknown") and draw(st.booleans()):
        patient["receptors"] = {
            "er": draw(st.booleans()),
            "pr": draw(st.booleans()),
            "her2": draw(st.booleans()),
            "ki67": draw(st.integers(min_value=0, max_value=100)),
        }
    if draw(st.booleans()):
        patient["ambulatory"] = draw(st.booleans())
        patient["albumin_g_dl"] = draw(st.floats(min_value=1.0, max_value=6.0))
    return {"patient": patient, "lesions": lesions}


@FAST
@given(valid_requests())
def test_every_valid_request_answers_the_contract(data: dict[str, Any]) -> None:
    result = evaluate_request(data)
    assert set(result) == {
        "rules_version", "subtype", "lesions", "tokuhashi", "tomita", "modified_bauer", "nesms",
        "noms", "triggers", "urgency", "due_within_hours", "timing", "candidacy",
    }  # fmt: skip
    for lesion in result["lesions"]:
        assert lesion["sins"]["total"] == sum(lesion["sins"]["components"].values())
    assert (result["urgency"] is None) == (result["triggers"] == [])
    assert (
        result["due_within_hours"]
        == {None: None, "red": 24, "orange": 72, "green": 168}[result["urgency"]]
    )
    assert (result["nesms"] is None) == ("ambulatory" not in data["patient"])
    if result["urgency"] == "red":
        assert all(check["severity"] == "info" for check in result["timing"])
    inp = parse_evaluation_request(data)
    assert parse_evaluation_request(inp.to_request()) == inp
