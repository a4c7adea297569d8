"""The case summary says what the scores mean (CLINICAL.md §1, §2, §7 v2, §10, §11).

Expected words and values are written from CLINICAL.md: SINS 13-18 unstable (stabilisation
indicated), 7-12 potentially unstable (surgical consultation), 0-6 stable; Bilsky 2-3 high grade;
S fit at KPS 50 or more and Tomita 7 or less; rule 6 of §7 v2 for a painless, stable lesion.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Assessment
from cases.summary import assessment_summary
from scoring.calculators import evaluate_request
from tests.factories import add_lesion, create_case

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
# T7 is semi-rigid (1 point); each lesion below is built to the SINS its name says (§1 table).
SINS = {
    1: {"pain": "none", "bone_lesion": "blastic", "alignment": "normal", "collapse": "none",
        "posterolateral": "none"},
    6: {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal", "collapse": "none",
        "posterolateral": "none"},
    7: {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal", "collapse": "none",
        "posterolateral": "unilateral"},
    12: {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "subluxation",
         "collapse": "involved_over_50", "posterolateral": "unilateral"},
    13: {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "subluxation",
         "collapse": "under_50", "posterolateral": "unilateral"},
    14: {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "subluxation",
         "collapse": "over_50", "posterolateral": "unilateral"},
}  # fmt: skip
PATIENT: dict[str, Any] = {
    "primary_site": "breast", "receptors": {"er": True, "pr": True, "her2": False, "ki67": 10},
    "kps": 80, "frankel": "E", "extraspinal_bone_metastases": 1, "vertebral_metastases": 2,
    "visceral_metastases": "none",
}  # fmt: skip


def summary_of(sins: int = 7, bilsky: str = "1b", **patient: Any):
    """The summary of an assessment scored by the core (not saved: the summary reads only the
    stored columns and ``result``)."""
    body = {"patient": {**PATIENT, **patient},
            "lesions": [{"levels": ["T7"], **SINS[sins], "bilsky": bilsky}]}  # fmt: skip
    result = evaluate_request(body, now=AT)
    assert result["lesions"][0]["sins"]["total"] == sins
    assessment = Assessment(
        evaluated_at=AT, rules_version=result["rules_version"], inputs=body, result=result,
        max_sins=sins, max_bilsky=bilsky, pathway=result["noms"]["pathway"],
        urgency=result["urgency"] or "", tokuhashi_total=result["tokuhashi"]["total"],
        tomita_total=result["tomita"]["total"], subtype=result["subtype"],
    )  # fmt: skip
    return assessment_summary(assessment)


@pytest.mark.parametrize(
    ("sins", "title", "detail", "stabilise"),
    [
        (6, "Mechanically stable, SINS 6 of 18", "No stabilisation needed (SINS 0-6).", False),
        (7, "Potentially unstable, SINS 7 of 18", "Surgical consultation (SINS 7-12).", False),
        (12, "Potentially unstable, SINS 12 of 18", "Surgical consultation (SINS 7-12).", False),
        (13, "Mechanically unstable, SINS 13 of 18", "Stabilisation indicated (SINS 13-18): "
         "pedicle screw fixation, or kyphoplasty or vertebroplasty for a single level.", True),
    ],
)
def test_mechanical_instability_and_its_consequence_at_sins_6_7_12_13(
    sins: int, title: str, detail: str, stabilise: bool
) -> None:
    summary = summary_of(sins=sins)
    assert (summary.instability.title, summary.instability.detail) == (title, detail)
    assert summary.stabilisation_required is stabilise
    assert summary.instability.alert is (sins >= 7)


@pytest.mark.parametrize(
    ("bilsky", "title", "alert", "neurological"),
    [("1c", "Low-grade epidural compression, Bilsky 1c", False, "low_grade"),
     ("2", "High-grade cord compression, Bilsky 2", True, "high_grade")],
)  # fmt: skip
def test_high_grade_compression_starts_at_bilsky_2(
    bilsky: str, title: str, alert: bool, neurological: str
) -> None:
    summary = summary_of(bilsky=bilsky)
    assert summary.compression.title == title and summary.compression.alert is alert
    assert summary.arms[0].name == "Neurological" and summary.arms[0].verdict == neurological


@pytest.mark.parametrize(("kps", "systemic", "pathway"),
                         [(40, "unfit", "palliative_care"), (50, "fit", "cebrt")])
def test_kps_40_and_50(kps: int, systemic: str, pathway: str) -> None:
    summary = summary_of(kps=kps)
    assert [arm.name for arm in summary.arms] == ["Neurological", "Oncological", "Mechanical",
                                                  "Systemic"]  # fmt: skip
    assert summary.arms[3].verdict == systemic and f"KPS {kps}" in summary.arms[3].reason
    assert summary.pathway == pathway


@pytest.mark.parametrize(
    ("visceral", "vertebral", "extraspinal", "tomita", "systemic"),
    # Kidney grows moderately (2); untreatable visceral 4; solitary 1, multiple 2 (§4).
    [("untreatable", 1, 0, 7, "fit"), ("untreatable", 2, 0, 8, "unfit")],
)
def test_tomita_7_and_8(visceral: str, vertebral: int, extraspinal: int, tomita: int,
                        systemic: str) -> None:
    summary = summary_of(primary_site="kidney", receptors=None, visceral_metastases=visceral,
                         vertebral_metastases=vertebral, extraspinal_bone_metastases=extraspinal)
    assert f"Tomita {tomita} of 10" in summary.prognosis
    assert summary.arms[3].verdict == systemic


def test_a_painless_stable_bilsky_0_lesion_is_systemic_therapy_and_observation() -> None:
    summary = summary_of(sins=1, bilsky="0")
    assert summary.pathway == "systemic_therapy_observation"
    assert summary.pathway_reason.startswith("Systemic therapy and observation: painless")
    assert summary.policy_version == "v2"


def test_candidacy_and_timing_checks_come_with_their_evidence() -> None:
    summary = summary_of(sins=14, cdk46_inhibitor=True, anc_per_mm3=1200)
    assert [(c.label, c.answer) for c in summary.candidacy] == [
        ("Expected survival over 3 months", "yes"),
        ("General condition tolerates surgery and anaesthesia", "yes"),
        ("Better quality of life and mobility expected after surgery", "MDT to judge"),
        ("Long tumour-free survival expected after treatment of the primary", "MDT to judge"),
        ("Isolated bone metastasis", "no"),
        ("High risk of pathological fracture", "yes"),
    ]
    assert summary.candidacy[1].evidence == "KPS 80: 50 or more."
    labels = [check.label for check in summary.timing]
    assert labels[:2] == ["Holds elective surgery", "Caution"]  # ANC 1200 under 1,500; CDK4/6
    assert "1,500" in summary.timing[0].evidence


V1_RESULT: dict[str, Any] = {  # a result stored under NOMS policy v1, before the v2 change
    "rules_version": "2026.1",
    "noms": {
        "neurological": "low_grade", "oncological": "radioresistant", "mechanical": "stable",
        "systemic": "fit", "pathway": "cebrt", "stabilisation_required": False,
        "rationale": ["N low grade: Bilsky 0.",
                      "O radioresistant: triple-negative breast cancer (S2 framework).",
                      "M stable: SINS 1 (0-6).",
                      "S fit: KPS 80 (50 or more), Tomita 3 (7 or less).",
                      "Pathway cebrt: low-grade compression, radiosensitive disease."],
    },
    "candidacy": [], "timing": [],
}  # fmt: skip


def test_a_v1_assessment_stays_as_it_was_without_codes_or_document_references() -> None:
    stored = Assessment(evaluated_at=AT, rules_version="2026.1", inputs={}, result=V1_RESULT,
                        max_sins=1, max_bilsky="0", pathway="cebrt", tokuhashi_total=13,
                        tomita_total=3, subtype="triple_negative")  # fmt: skip
    summary = assessment_summary(stored)
    assert summary.policy_version == "v1" and summary.pathway == "cebrt"
    assert [arm.reason for arm in summary.arms] == [
        "Bilsky 0.", "Triple-negative breast cancer.", "SINS 1 (0-6).",
        "KPS 80 (50 or more), Tomita 3 (7 or less).",
    ]


# --- the case page -------------------------------------------------------------------------------


def _summary_text(page: str) -> str:
    match = re.search(r'<div class="case-summary".*?NOMS policy v\d\)\.</p>', page, re.S)
    assert match, "the summary is on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


@pytest.mark.django_db
def test_a_sins_14_case_shows_stabilisation_never_just_cebrt(
    client: Client, breast_surgeon, breast_team, spine_team, mdt_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon, **SINS[14])
    services.assessment_create(case=case, actor=breast_surgeon)
    client.force_login(breast_surgeon)
    text = _summary_text(client.get(reverse("cases:case-detail", args=[case.pk])).content.decode())
    assert ("Recommended pathway: Conventional external beam radiotherapy (cEBRT) "
            "with stabilisation") in text
    assert "Mechanically unstable, SINS 14 of 18: Stabilisation indicated (SINS 13-18)" in text
    assert "Potentially unstable" not in text
    assert "Mechanical: Unstable. SINS 14 (13-18): unstable, stabilisation indicated." in text
    for leak in ("§", "CLINICAL", "_", "S2 "):
        assert leak not in text, leak


@pytest.mark.django_db
def test_a_painless_stable_case_page_says_systemic_therapy_and_observation(
    client: Client, breast_surgeon, breast_team, spine_team, mdt_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon, bilsky="0", **SINS[1])
    services.assessment_create(case=case, actor=breast_surgeon)
    client.force_login(breast_surgeon)
    text = _summary_text(client.get(reverse("cases:case-detail", args=[case.pk])).content.decode())
    assert "Recommended pathway: Systemic therapy and observation" in text
    assert "with stabilisation" not in text and "cEBRT" not in text
    assert "No epidural disease, Bilsky 0: Bone-only disease." in text


@pytest.mark.django_db
def test_a_case_not_scored_yet_says_so(client: Client, breast_surgeon, breast_team) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team)
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "Not scored yet: the summary appears once" in page
