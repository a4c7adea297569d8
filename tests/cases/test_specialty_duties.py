"""Each specialty's duties per phase (issue 19; S2 Table 4 and Table 3), the facts that tick
them, and the operation recorded at surgery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services, timeline
from cases.models import Case, DutyTick, SurgeryRecord
from cases.selectors import case_list_for_display, case_next_steps
from cases.timeline import Phase, Specialty
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db


def test_the_table_is_versioned_and_gives_each_specialty_its_work() -> None:
    assert timeline.DUTIES_VERSION == "2"
    owners = {phase: {d.code: d.specialty for d in timeline.duties(phase)} for phase in Phase}
    # S2 Table 3: post-operative systemic therapy (breast surgeon + medical oncologist), SBRT
    # (radiation oncologist), rehabilitation (physiotherapy).
    assert owners[Phase.POST_OPERATIVE]["restart_systemic_therapy"] == Specialty.MEDICAL_ONCOLOGIST
    assert owners[Phase.POST_OPERATIVE]["resume_systemic_therapy"] == Specialty.BREAST_ONCOSURGEON
    assert owners[Phase.POST_OPERATIVE]["postoperative_sbrt"] == Specialty.RADIATION_ONCOLOGIST
    assert owners[Phase.POST_OPERATIVE]["rehabilitation_programme"] == Specialty.PHYSIOTHERAPIST
    assert owners[Phase.MDT_TUMOR_BOARD]["palliative_goals_of_care"] == (
        Specialty.PALLIATIVE_CARE_PHYSICIAN)
    every = {d.specialty for phase in Phase for d in timeline.duties(phase)}
    assert every == set(Specialty)
    codes = [d.code for phase in Phase for d in timeline.duties(phase)]
    assert len(codes) == len(set(codes))  # a code names one duty
    for fact, duty_codes in timeline.FACT_DUTIES.items():
        assert fact in timeline.FACT_WORDS
        assert set(duty_codes) <= set(codes), fact


def test_an_oncologists_next_step_is_their_own_duty_not_a_surgeons(
        care_case: Case, oncologist, breast_surgeon) -> None:
    services.case_transition(case=care_case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                             reason="lesion", actor=breast_surgeon)
    case = case_list_for_display(user=breast_surgeon).get(pk=care_case.pk)
    assert oncologist.role == "radiation_oncologist"
    assert case_next_steps([case], oncologist.role) == [(
        case, "Radiotherapy triage of the lesion (cEBRT / SRS candidate?)")]
    assert case_next_steps([case], "palliative_care_physician") == [
        (case, "Assess pain and analgesic needs")]


def test_a_lists_next_step_follows_the_ticks_of_the_current_stay_only(
        breast_surgeon, neurosurgeon, breast_team, spine_team, client, api_client,
        django_assert_max_num_queries) -> None:
    """The page and the API show the first duty of the person's specialty not ticked in the
    current phase stay (S2 Table 4); another case's ticks do not count; any number of rows costs
    one query for their ticks."""
    first = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                        phase=Phase.SPINE_METASTASIS_DETECTION)
    other = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                        phase=Phase.SPINE_METASTASIS_DETECTION)
    add_lesion(first, actor=neurosurgeon)  # ticks "identify the spinal lesion" of ``first``
    by_pk = {case.pk: step for case, step in
             case_next_steps(case_list_for_display(user=breast_surgeon), "breast_oncosurgeon")}
    assert by_pk[first.pk] == "Review the SINS score"
    assert by_pk[other.pk].startswith("Identify")
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-list")).content.decode()
    assert "Review the SINS score" in page
    api_client.force_authenticate(breast_surgeon)
    rows = {row["id"]: row["next_step"]
            for row in api_client.get(reverse("api-cases")).json()["results"]}
    assert rows[first.pk] == "Review the SINS score" and rows[other.pk].startswith("Identify")
    listed = list(case_list_for_display(user=breast_surgeon))
    with django_assert_max_num_queries(1):
        case_next_steps(listed, "neurosurgeon")


def test_recording_a_lesion_ticks_identify_the_spinal_lesion_in_detection_only(
        neurosurgeon, breast_surgeon, breast_team, spine_team) -> None:
    detected = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                           phase=Phase.SPINE_METASTASIS_DETECTION)
    add_lesion(detected, actor=neurosurgeon)
    tick = DutyTick.objects.get(case=detected, duty_code="identify_spinal_lesion")
    assert tick.ticked_by == neurosurgeon and tick.specialty == "breast_oncosurgeon"
    assert tick.note == "Done: a spinal lesion was recorded."
    add_lesion(detected, actor=neurosurgeon, levels=["L2"])  # already done: no second tick
    assert DutyTick.objects.filter(case=detected, duty_code="identify_spinal_lesion").count() == 1
    early = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    add_lesion(early, actor=breast_surgeon)  # initial diagnosis has no such duty
    assert not DutyTick.objects.filter(case=early).exists()


def test_running_an_assessment_ticks_review_the_sins(care_case, breast_surgeon) -> None:
    services.case_transition(case=care_case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                             reason="lesion", actor=breast_surgeon)
    services.assessment_create(case=care_case, actor=breast_surgeon)
    assert DutyTick.objects.filter(case=care_case, duty_code="review_sins").count() == 1


def _to_surgery(case: Case, breast_surgeon, neurosurgeon) -> Case:
    for phase, who in ((Phase.SPINE_METASTASIS_DETECTION, breast_surgeon),
                       (Phase.MDT_TUMOR_BOARD, neurosurgeon),
                       (Phase.PRE_OPERATIVE, neurosurgeon), (Phase.SURGERY, neurosurgeon)):
        services.case_transition(case=case, to_phase=phase, reason="pathway", actor=who)
    case.refresh_from_db()
    return case


OPERATION = {"performed_on": dt.date(2026, 1, 5), "procedure": "separation_surgery",
             "approach": "posterior", "levels": ["T6", "T7", "T8"],
             "instrumentation": "pedicle_screws", "complications": []}


def test_the_operation_is_recorded_at_surgery_and_ticks_its_duties(
        care_case, breast_surgeon, neurosurgeon, time_machine) -> None:
    time_machine.move_to(dt.datetime(2026, 1, 6, 12, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as refused:  # not yet in surgery
        services.surgery_record(case=care_case, actor=neurosurgeon, **OPERATION)
    assert "performed_on" in refused.value.message_dict
    case = _to_surgery(care_case, breast_surgeon, neurosurgeon)
    with pytest.raises(ValidationError):  # the neurosurgeon records it
        services.surgery_record(case=case, actor=breast_surgeon, **OPERATION)
    for bad, field in (({"levels": ["T99"]}, "levels"),
                       ({"complications": ["other"]}, "complication_note"),
                       ({"complications": ["gremlins"]}, "complications"),
                       ({"performed_on": dt.date(2026, 1, 7)}, "performed_on"),
                       ({"approach": "sideways"}, "approach")):
        with pytest.raises(ValidationError) as refused:
            services.surgery_record(case=case, actor=neurosurgeon, **{**OPERATION, **bad})
        assert field in refused.value.message_dict, bad
    assert not SurgeryRecord.objects.exists()
    record = services.surgery_record(case=case, actor=neurosurgeon,
                                     **{**OPERATION, "complications": ["dural_tear"]})
    assert record.levels == ["T6", "T7", "T8"]
    ticked = set(DutyTick.objects.filter(case=case, event=case.current_event)
                 .values_list("duty_code", flat=True))
    assert {"decompression_stabilisation", "record_surgical_details"} <= ticked


def test_the_operation_page(client, care_case, breast_surgeon, neurosurgeon) -> None:
    case = _to_surgery(care_case, breast_surgeon, neurosurgeon)
    client.force_login(neurosurgeon)
    url = reverse("cases:surgery-create", args=[case.pk])
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "Record the operation" in page
    bad = client.post(url, {"performed_on": "2026-01-05", "procedure": "en_bloc",
                            "approach": "posterior", "levels": "T7, X9",
                            "instrumentation": "vbr"})
    assert bad.status_code == 200 and "unknown level" in bad.content.decode()
    done = client.post(url, {"performed_on": "2026-01-05", "procedure": "en_bloc",
                             "approach": "posterior", "levels": "t7, T8",
                             "instrumentation": "vbr", "complications": ["wound"]})
    assert done.status_code == 302
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "En bloc resection" in page and "T7, T8" in page
    assert "Wound infection or dehiscence" in page
    assert "Done: the operation was recorded." in page


def test_the_timeline_marks_a_roles_own_duties(client, care_case, breast_surgeon) -> None:
    from tests.factories import UserFactory
    from tumorboard.roles import Role

    physio = UserFactory(username="phil", role=Role.PHYSIOTHERAPIST)
    services.specialist_add(case=care_case, user=physio, actor=breast_surgeon)
    Case.objects.filter(pk=care_case.pk).update(phase=Phase.PRE_OPERATIVE)
    services.case_transition(case=Case.objects.get(pk=care_case.pk),
                             to_phase=Phase.MDT_TUMOR_BOARD, reason="back", actor=breast_surgeon)
    client.force_login(physio)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    # MDT stay: no physiotherapy duty; the checklist shows the other specialties' duties.
    assert "Palliative care physician:" in page and "yours" not in page
    home = client.get(reverse("home-specialist")).content.decode()
    assert care_case.patient.family_name in home
