"""Agenda population (CLINICAL.md §13 order), idempotence, eligibility, reordering, the lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from meetings import services
from meetings.models import AgendaItem, MeetingEvent
from referrals.models import Referral
from tests.factories import make_mdt_case, on_its_day
from tests.meetings.conftest import mark_all_present

pytestmark = pytest.mark.django_db

UNSTABLE = {"alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral"}


def _case(breast_surgeon, neurosurgeon, teams, *, days_ago=0, **kwargs):
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         **kwargs)
    # The §13 tie-break is the oldest referral: give each a distinct, known referral time.
    Referral.objects.filter(case=case).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago))
    return case


def _order(meeting):
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position")
                .values_list("case_id", flat=True))


def test_population_orders_mixed_urgencies_and_scores_by_section_13(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams) -> None:
    args = (breast_surgeon, neurosurgeon, teams)
    green_newer = _case(*args, days_ago=1)
    green_older = _case(*args, days_ago=5)
    green_1c = _case(*args, days_ago=1, study={"bilsky": "1c"})
    green_sins_11 = _case(*args, days_ago=1,
                          study={"collapse": "over_50", "alignment": "deformity"})
    orange_bilsky_2 = _case(*args, days_ago=1, study={"bilsky": "2"})
    orange_unstable = _case(*args, days_ago=1, study=UNSTABLE)
    red_deficit = _case(*args, days_ago=0, neurological_deficit=True, frankel="D")

    items = services.agenda_populate(meeting=meeting, actor=coordinator)

    assert _order(meeting) == [red_deficit.pk, orange_unstable.pk, orange_bilsky_2.pk,
                               green_sins_11.pk, green_1c.pk, green_older.pk, green_newer.pk]
    reasons = {item.case_id: item.priority_reason for item in items}
    assert reasons[red_deficit.pk].startswith("Red")
    assert "highest SINS 16" in reasons[orange_unstable.pk]
    assert "highest Bilsky grade 2" in reasons[orange_bilsky_2.pk]


def test_population_is_idempotent(meeting, coordinator, breast_surgeon, neurosurgeon,
                                  teams) -> None:
    for _ in range(3):
        make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    first = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "case_id",
                                                                        "position"))
    services.agenda_populate(meeting=meeting, actor=coordinator)
    assert list(AgendaItem.objects.filter(meeting=meeting)
                .values_list("pk", "case_id", "position")) == first
    assert len(first) == 3


def test_only_triaged_in_cases_of_the_institution_not_on_another_open_agenda_are_eligible(
        meeting, coordinator, neurosurgeon, breast_surgeon, teams, mdt_team) -> None:
    accepted = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams)
    make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                  accept=False)  # still waiting for triage
    in_mdt_phase = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                                 teams=teams, accept=False)
    for phase in ("spine_metastasis_detection", "mdt_tumor_board"):
        case_services.case_transition(case=in_mdt_phase, to_phase=phase, reason="worked up",
                                      actor=breast_surgeon)
    other = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=10), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, video_link="https://video.example/mdt")
    on_other = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams)
    services.agenda_item_add(meeting=other, case=on_other, actor=breast_surgeon)

    services.agenda_populate(meeting=meeting, actor=coordinator)

    assert set(_order(meeting)) == {accepted.pk, in_mdt_phase.pk}


def test_a_clinician_adds_a_case_with_a_question_and_population_sorts_it_in(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams) -> None:
    green = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    waiting_red = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                                teams=teams, accept=False, neurological_deficit=True,
                                frankel="D")
    services.agenda_populate(meeting=meeting, actor=coordinator)
    item = services.agenda_item_add(meeting=meeting, case=waiting_red, actor=breast_surgeon,
                                    question="Decompression now or radiotherapy first?")
    assert item.position == 2 and item.source == "manual"
    services.agenda_populate(meeting=meeting, actor=coordinator)
    assert _order(meeting) == [waiting_red.pk, green.pk]


def test_a_reorder_is_recorded_and_population_then_keeps_the_hand_made_order(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams) -> None:
    red = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                        neurological_deficit=True, frankel="D")
    green = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    green_item = AgendaItem.objects.get(meeting=meeting, case=green)

    services.agenda_item_move(item=green_item, direction="up", actor=coordinator,
                              reason="Dr Wilk has to leave early")

    assert _order(meeting) == [green.pk, red.pk]
    event = MeetingEvent.objects.filter(meeting=meeting, action="reorder").get()
    assert event.actor == coordinator and event.note == "Dr Wilk has to leave early"
    assert event.detail == {"item": green_item.pk, "case": green.pk, "from_position": 2,
                            "to_position": 1}
    newcomer = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams, neurological_deficit=True, frankel="D")
    services.agenda_populate(meeting=meeting, actor=coordinator)
    assert _order(meeting) == [green.pk, red.pk, newcomer.pk]


def test_a_move_past_the_end_is_refused(meeting, coordinator, mdt_case) -> None:
    from django.core.exceptions import ValidationError

    services.agenda_populate(meeting=meeting, actor=coordinator)
    item = AgendaItem.objects.get(meeting=meeting)
    with pytest.raises(ValidationError) as error:
        services.agenda_item_move(item=item, direction="up", actor=coordinator)
    assert "direction" in error.value.message_dict


def test_lock_freezes_each_assessment_and_lists_the_accepted_referrals(
        meeting, coordinator, mdt_case, breast_surgeon) -> None:
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)

    item = AgendaItem.objects.get(meeting=meeting)
    assert item.snapshot["assessment"]["id"] == mdt_case.latest_assessment_id
    assert item.snapshot["assessment"]["result"]["noms"]["pathway"] == "cebrt"
    assert item.snapshot["clinical"]["subtype"] == "luminal_a"
    assert [r["status"] for r in item.snapshot["referrals"]] == ["accepted"]
    referral = Referral.objects.get(case=mdt_case)
    assert referral.status == "listed_for_mdt"
    # A later assessment does not change what the board is shown.
    case_services.case_update(case=mdt_case, actor=breast_surgeon, expected_version=None, kps=40)
    case_services.assessment_create(case=mdt_case, actor=breast_surgeon)
    item.refresh_from_db()
    assert item.snapshot["assessment"]["id"] != mdt_case.assessments.first().pk


def test_lock_scores_a_case_that_has_inputs_but_no_assessment(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams) -> None:
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         assess=False)
    # The writes keep an assessment current (issue 17); a case stored before that has none.
    Case.objects.filter(pk=case.pk).update(latest_assessment=None)
    case.refresh_from_db()
    assert case.latest_assessment_id is None
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    snap = AgendaItem.objects.get(meeting=meeting).snapshot
    assert snap["assessment"]["computed_at_lock"] is True
    assert snap["assessment"]["result"]["lesions"][0]["sins"]["total"] == 9


def test_finalize_closes_the_listed_referrals_and_the_case_leaves_the_eligible_list(
        meeting, coordinator, neurosurgeon, mdt_case, mdt_team) -> None:
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    mark_all_present(meeting, coordinator)
    item = AgendaItem.objects.get(meeting=meeting)
    services.decision_record(item=item, actor=coordinator, pathway="cebrt",
                             rationale="Radiosensitive, low grade.", responsible=neurosurgeon)
    services.meeting_finalize(meeting=meeting, actor=coordinator)
    assert Referral.objects.get(case=mdt_case).status == "closed"
    nxt = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=7), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 1")
    assert services.agenda_populate(meeting=nxt, actor=coordinator) == []
