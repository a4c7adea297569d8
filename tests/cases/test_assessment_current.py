"""The assessment is always current (issue 17): random sequences of clinical edits through the
services, and after each one every place that shows a score agrees with the scoring core run on
the current inputs, built here independently of ``cases.evaluation``.

Places checked: the case's current assessment (the summary), the lesion rows of the case page,
the API case status, the open referral's urgency and due time, and the MDT agenda priority.
Plain ORM saves and the admin do not recompute (the services are the only write path, DESIGN.md);
that is stated, not tested here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Case, LesionImaging
from cases.selectors import case_detail, case_status
from cases.serializers import CaseDetailSerializer, CaseListSerializer
from meetings.agenda import case_priority, with_priority_inputs
from referrals.models import OPEN_STATUSES, Referral
from scoring.calculators import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    Posterolateral,
    ScoringInputError,
    evaluate_request,
    progressed_within_6_weeks,
)
from scoring.calculators import (
    LesionImaging as CoreImaging,
)
from tests.factories import create_case

pytestmark = pytest.mark.django_db

#: CLINICAL.md §9: red due in 24 h, orange in 72 h, green in 7 days.
DUE_WITHIN = {"red": dt.timedelta(hours=24), "orange": dt.timedelta(hours=72),
              "green": dt.timedelta(days=7)}
RANK = {"": 0, None: 0, "green": 1, "orange": 2, "red": 3}

STUDIES = st.fixed_dictionaries({
    "pain": st.sampled_from(["none", "occasional", "mechanical"]),
    "bone_lesion": st.sampled_from(["lytic", "mixed", "blastic"]),
    "alignment": st.sampled_from(["normal", "deformity", "subluxation"]),
    "collapse": st.sampled_from(["none", "involved_over_50", "under_50", "over_50"]),
    "posterolateral": st.sampled_from(["none", "unilateral", "bilateral"]),
    "bilsky": st.sampled_from(["0", "1a", "1b", "1c", "2", "3"]),
})
CASE_EDITS = st.one_of(
    st.fixed_dictionaries({"kps": st.sampled_from([None, 30, 50, 70, 90])}),
    st.fixed_dictionaries({"frankel": st.sampled_from(["A", "C", "D", "E"])}),
    st.fixed_dictionaries({"new_or_progressive_back_pain": st.sampled_from([None, True, False])}),
    st.fixed_dictionaries({"her2": st.booleans(), "er": st.booleans(), "pr": st.booleans()}),
    st.fixed_dictionaries({"extraspinal_bone_metastases": st.integers(0, 3)}),
    st.fixed_dictionaries({"visceral_metastases": st.sampled_from(
        ["none", "removable", "treatable", "untreatable"])}),
)
EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("case"), CASE_EDITS),
        st.tuples(st.just("lesion"), st.sampled_from(["T4", "T9", "L1", "L3", "C5"]), STUDIES),
        st.tuples(st.just("imaging"), st.integers(0, 4), st.integers(3, 60), STUDIES),
        st.tuples(st.just("followup"), st.sampled_from(["B", "D", "E"]),
                  st.sampled_from([40, 60, 80])),
    ),
    min_size=1, max_size=5,
)


def _core(imaging: LesionImaging) -> CoreImaging:
    return CoreImaging(imaged_on=imaging.imaging_date, collapse=Collapse(imaging.collapse),
                       alignment=Alignment(imaging.alignment),
                       posterolateral=Posterolateral(imaging.posterolateral),
                       bilsky=BilskyGrade(imaging.bilsky),
                       bone_lesion=BoneLesion(imaging.bone_lesion))


def independent_request(case: Case) -> dict[str, Any]:
    """The core's request from the stored rows, written here from CLINICAL.md's inputs (every
    case in this test has a known breast primary)."""
    patient: dict[str, Any] = {"primary_site": "breast"}
    receptors = {k: getattr(case, k) for k in ("er", "pr", "her2", "ki67")
                 if getattr(case, k) is not None}
    if receptors:
        patient["receptors"] = receptors
    for name in ("kps", "ecog", "neurological_deficit", "extraspinal_bone_metastases",
                 "vertebral_metastases", "new_patient", "new_or_progressive_back_pain",
                 "ambulatory", "albumin_g_dl", "anc_per_mm3"):
        if getattr(case, name) is not None:
            patient[name] = getattr(case, name)
    for name in ("frankel", "visceral_metastases", "bone_modifying_agent"):
        if getattr(case, name):
            patient[name] = getattr(case, name)
    lesions = []
    for lesion in case.lesions.order_by("pk"):
        studies = list(lesion.imagings.order_by("imaging_date", "pk"))
        last = studies[-1]
        progressed = len(studies) > 1 and progressed_within_6_weeks(_core(studies[-2]),
                                                                    _core(last))
        lesions.append({"levels": list(lesion.levels), "pain": last.pain,
                        "bone_lesion": last.bone_lesion, "alignment": last.alignment,
                        "collapse": last.collapse, "posterolateral": last.posterolateral,
                        "bilsky": last.bilsky, "progressed_within_6_weeks": progressed,
                        "progressed_after_radiation": last.progressed_after_radiation})
    return {"patient": patient, "lesions": lesions}


def check_every_place_agrees(case: Case, *, at: dt.datetime) -> None:
    case = Case.objects.get(pk=case.pk)
    try:
        result: dict[str, Any] | None = evaluate_request(independent_request(case))
    except ScoringInputError:
        result = None
    assessment = case.latest_assessment
    listed = CaseListSerializer()  # the case list (page and API): its score columns
    listed_scores = (listed.get_latest_sins(case), listed.get_latest_bilsky(case),
                     listed.get_urgency(case) or "")
    status = CaseDetailSerializer(case_status(case=case)).data  # the API case status
    if result is None:
        assert assessment is None, "a score is shown for inputs the core cannot score"
        assert listed_scores == (None, None, "") and status["latest_assessment"] is None
        return
    sins = {tuple(item["levels"]): item["sins"]["total"] for item in result["lesions"]}
    bilsky_rank = ["0", "1a", "1b", "1c", "2", "3"]
    worst_bilsky = max((item["bilsky"] for item in independent_request(case)["lesions"]),
                       key=bilsky_rank.index)
    urgency = result["urgency"] or ""
    # The summary: the current assessment.
    assert assessment is not None
    assert assessment.max_sins == max(sins.values())
    assert assessment.max_bilsky == worst_bilsky
    assert assessment.urgency == urgency
    assert assessment.pathway == result["noms"]["pathway"]
    assert assessment.tokuhashi_total == result["tokuhashi"]["total"]
    assert assessment.tomita_total == result["tomita"]["total"]
    # The lesion rows of the case page.
    page = case_detail(case=case)
    assert {tuple(view.lesion.levels): view.sins["total"] for view in page.lesions} == sins
    # The case list and the API case status.
    assert listed_scores == (max(sins.values()), worst_bilsky, urgency)
    api = status["latest_assessment"]
    assert (api["max_sins"], api["max_bilsky"], status["urgency"] or "") == (
        max(sins.values()), worst_bilsky, urgency)
    assert {tuple(item["levels"]): item["sins"]["total"] for item in status["lesions"]} == sins
    # The open referral: never less urgent than the current picture, due no later than that
    # urgency's clock from now (re-timed from the moment it rose, §9a).
    referral = Referral.objects.filter(case=case, direction="breast_to_neuro",
                                       status__in=OPEN_STATUSES).first()
    if urgency:
        assert referral is not None, "a trigger fired and no referral is open"
        assert RANK[referral.urgency] >= RANK[urgency]
        assert referral.due_at <= at + DUE_WITHIN[urgency]
    # The MDT agenda priority.
    priority = case_priority(with_priority_inputs(Case.objects.filter(pk=case.pk)).get())
    assert (priority.max_sins, priority.max_bilsky) == (max(sins.values()), worst_bilsky)
    assert RANK[priority.urgency] >= RANK[urgency]


def apply(edit: tuple, case: Case, actor: Any, state: dict[str, Any]) -> None:
    kind = edit[0]
    if kind == "case":
        services.case_update(case=case, actor=actor, expected_version=None, **edit[1])
    elif kind == "lesion":
        if case.lesions.filter(levels=[edit[1]]).exists():
            return
        services.lesion_create(case=case, actor=actor, levels=[edit[1]],
                               imaging_date=state["day"], **edit[2])
    elif kind == "imaging":
        lesions = list(case.lesions.order_by("pk"))
        lesion = lesions[edit[1] % len(lesions)]
        last = lesion.imagings.order_by("imaging_date").last()
        services.lesion_imaging_add(lesion=lesion, actor=actor,
                                    imaging_date=last.imaging_date + dt.timedelta(days=edit[2]),
                                    **edit[3])
    else:
        state["visit"] += dt.timedelta(days=1)
        services.followup_create(case=case, actor=actor, visit_date=state["visit"],
                                 frankel=edit[1], kps=edit[2], pain_nrs=3, ambulation="with_aid")


SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(first=STUDIES, edits=EDITS)
def test_every_place_that_shows_a_score_agrees_with_the_core(
    first, edits, breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team
) -> None:
    savepoint = transaction.savepoint()
    try:
        case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        state = {"day": dt.date(2026, 1, 5), "visit": dt.date(2026, 6, 1)}
        services.lesion_create(case=case, actor=breast_surgeon, levels=["T7"],
                               imaging_date=state["day"], **first)
        check_every_place_agrees(case, at=timezone.now())
        for index, edit in enumerate(edits):
            actor = (breast_surgeon, neurosurgeon)[index % 2]
            case.refresh_from_db()
            apply(edit, case, actor, state)
            check_every_place_agrees(case, at=timezone.now())
    finally:
        transaction.savepoint_rollback(savepoint)


def test_history_stays_as_the_mdt_saw_it(care_case, breast_surgeon) -> None:
    """A change of imaging stores a new current assessment; the earlier one is unchanged."""
    before = care_case.latest_assessment
    assert before is not None and before.max_bilsky == "1b"
    lesion = care_case.lesions.get()
    services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                imaging_date=dt.date(2026, 2, 1),
                                **{"pain": "mechanical", "bone_lesion": "lytic",
                                   "alignment": "normal", "collapse": "over_50",
                                   "posterolateral": "unilateral", "bilsky": "2"})
    care_case.refresh_from_db()
    now = care_case.latest_assessment
    assert now.pk != before.pk and now.max_bilsky == "2"
    # SINS (CLINICAL.md §1): T7 semi-rigid 1, mechanical 3, lytic 2, normal 0, unilateral 1;
    # collapse under 50 % 2 at first (9), over 50 % 3 now (10).
    assert (before.max_sins, now.max_sins) == (9, 10)
    before.refresh_from_db()
    assert before.max_bilsky == "1b" and before.max_sins == 9


def test_a_team_only_edit_stores_no_new_assessment(care_case, breast_surgeon) -> None:
    count = care_case.assessments.count()
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                         mdt_team=care_case.mdt_team)
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None, kps=80)
    assert care_case.assessments.count() == count  # nothing changed the inputs
