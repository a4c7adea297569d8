"""An independent oracle of the NOMS decision, written from CLINICAL.md §7 (service policy v2)
and nothing else, compared with the core over the whole input space (hypothesis).

The oracle restates the text of §7 with plain literals: it shares no table with the code under
test, so a wrong entry in the core's tables (a site's radiosensitivity, a threshold, the order of
the rules) shows up as a disagreement.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.calculators import evaluate_request, noms

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SITES = ["lung", "osteosarcoma", "stomach", "bladder", "esophagus", "pancreas", "liver",
         "gallbladder", "unknown", "other", "kidney", "uterus", "rectum", "thyroid", "breast",
         "prostate", "carcinoid"]  # fmt: skip
SUBTYPES = ["luminal_a", "luminal_b", "her2_enriched", "triple_negative", "unknown"]
GRADES = ["0", "1a", "1b", "1c", "2", "3"]  # §2, mildest first
VISCERAL = ["none", "removable", "treatable", "untreatable"]


def oracle(a: dict[str, Any]) -> dict[str, Any]:
    """§7 v2, read line by line."""
    # N: high grade when Bilsky 2 or 3, else low grade.
    n = "high_grade" if a["max_bilsky"] in ("2", "3") else "low_grade"
    # O: breast radiosensitive except triple-negative; prostate and carcinoid radiosensitive;
    # unknown primary unknown; every other site radioresistant; any known primary radioresistant
    # after progression in a radiated field.
    site = a["primary_site"]
    if site == "unknown":
        o = "unknown"
    elif a["progressed_after_radiation"]:
        o = "radioresistant"
    elif site == "breast":
        o = "radioresistant" if a["subtype"] == "triple_negative" else "radiosensitive"
    elif site in ("prostate", "carcinoid"):
        o = "radiosensitive"
    else:
        o = "radioresistant"
    # M: unstable 13-18, potentially unstable 7-12, stable 0-6.
    sins = a["max_sins"]
    m = "unstable" if sins >= 13 else "potentially_unstable" if sins >= 7 else "stable"
    # S: fit when KPS is 50 or more and Tomita 7 or less.
    s = "fit" if a["kps"] >= 50 and a["tomita_total"] <= 7 else "unfit"
    oligo = (a["vertebral_metastases"] in (1, 2) and a["extraspinal_bone_metastases"] == 0
             and a["visceral_metastases"] == "none")  # fmt: skip
    nothing_local = (a["lesions_painless"] and m == "stable"
                     and a["max_bilsky"] in ("0", "1a", "1b")
                     and not a["neurological_deficit"])  # fmt: skip
    if s == "unfit":
        pathway = "palliative_care"
    elif o == "unknown":
        pathway = "biopsy"
    elif n == "high_grade":
        pathway = "separation_surgery_srs"
    elif o == "radioresistant" and oligo:
        pathway = "en_bloc_resection"
    elif o == "radioresistant":
        pathway = "srs"
    elif nothing_local:
        pathway = "systemic_therapy_observation"
    else:
        pathway = "cebrt"
    return {"policy_version": "v2", "neurological": n, "oncological": o, "mechanical": m,
            "systemic": s, "pathway": pathway, "stabilisation_required": m == "unstable"}


noms_args = st.fixed_dictionaries({
    "max_bilsky": st.sampled_from(GRADES),
    "max_sins": st.integers(min_value=0, max_value=18),
    "primary_site": st.sampled_from(SITES),
    "subtype": st.sampled_from(SUBTYPES),
    "progressed_after_radiation": st.booleans(),
    "kps": st.sampled_from(range(0, 101, 10)),
    "tomita_total": st.integers(min_value=2, max_value=10),
    "vertebral_metastases": st.integers(min_value=1, max_value=6),
    "extraspinal_bone_metastases": st.integers(min_value=0, max_value=3),
    "visceral_metastases": st.sampled_from(VISCERAL),
    "lesions_painless": st.booleans(),
    "neurological_deficit": st.booleans(),
})  # fmt: skip


@FAST
@given(noms_args)
def test_the_core_agrees_with_the_oracle(args: dict[str, Any]) -> None:
    got = noms(**args).to_dict()
    assert {key: got[key] for key in oracle(args)} == oracle(args)


#: Every boundary of §7 (SINS 6/7/12/13, KPS 40/50, Tomita 7/8, 2/3 vertebrae, Bilsky 1b/1c/2) and
#: each class of each input: the whole grid, so that a rare combination cannot slip through.
GRID: dict[str, list[Any]] = {
    "max_bilsky": GRADES,
    "max_sins": [6, 7, 12, 13],
    "primary_site": ["breast", "prostate", "lung", "unknown"],
    "subtype": ["luminal_a", "triple_negative"],
    "progressed_after_radiation": [False, True],
    "kps": [40, 50],
    "tomita_total": [7, 8],
    "vertebral_metastases": [2, 3],
    "extraspinal_bone_metastases": [0, 1],
    "visceral_metastases": ["none", "treatable"],
    "lesions_painless": [False, True],
    "neurological_deficit": [False, True],
}


def test_the_core_agrees_with_the_oracle_on_every_boundary() -> None:
    wrong = []
    for values in itertools.product(*GRID.values()):
        args = dict(zip(GRID, values, strict=True))
        expected = oracle(args)
        got = noms(**args).to_dict()
        if {key: got[key] for key in expected} != expected:
            wrong.append((args, got["pathway"], expected["pathway"]))
    assert not wrong, f"{len(wrong)} disagreements, first: {wrong[0]}"


lesion_st = st.fixed_dictionaries({
    "pain": st.sampled_from(["mechanical", "occasional", "none"]),
    "bone_lesion": st.sampled_from(["lytic", "mixed", "blastic"]),
    "alignment": st.sampled_from(["subluxation", "deformity", "normal"]),
    "collapse": st.sampled_from(["over_50", "under_50", "involved_over_50", "none"]),
    "posterolateral": st.sampled_from(["bilateral", "unilateral", "none"]),
    "bilsky": st.sampled_from(GRADES),
    "progressed_after_radiation": st.booleans(),
})  # fmt: skip


@FAST
@given(
    st.lists(lesion_st, min_size=1, max_size=3),
    st.sampled_from(["breast", "prostate", "lung", "unknown"]),
    st.sampled_from("ABCDE"),
    st.booleans(),
    st.sampled_from(range(0, 101, 10)),
)
def test_the_whole_evaluation_feeds_rule_6_as_section_7_says(
    lesions: list[dict[str, Any]], site: str, frankel: str, stated: bool, kps: int
) -> None:
    """Through ``evaluate_request``: every lesion painless, the worst lesion's SINS and Bilsky,
    and a neurological deficit by §6 (Frankel A-D, or a stated deficit)."""
    levels = ["T4", "T6", "T8"]
    body = {
        "patient": {"primary_site": site, "frankel": frankel, "neurological_deficit": stated,
                    "kps": kps, "extraspinal_bone_metastases": 0,
                    "vertebral_metastases": len(lesions), "visceral_metastases": "none"},
        "lesions": [dict(lesion, levels=[levels[i]]) for i, lesion in enumerate(lesions)],
    }  # fmt: skip
    result = evaluate_request(body)
    expected = oracle({
        "max_bilsky": max((lesion["bilsky"] for lesion in lesions), key=GRADES.index),
        "max_sins": max(lesion["sins"]["total"] for lesion in result["lesions"]),
        "primary_site": site,
        "subtype": result["subtype"],
        "progressed_after_radiation": any(item["progressed_after_radiation"] for item in lesions),
        "kps": kps,
        "tomita_total": result["tomita"]["total"],
        "vertebral_metastases": len(lesions),
        "extraspinal_bone_metastases": 0,
        "visceral_metastases": "none",
        "lesions_painless": all(lesion["pain"] == "none" for lesion in lesions),
        "neurological_deficit": frankel != "E" or stated,
    })  # fmt: skip
    assert {key: result["noms"][key] for key in expected} == expected
