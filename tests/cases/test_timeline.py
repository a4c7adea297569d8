"""The care timeline: every allowed and every forbidden phase move, event rows, checklists."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services, timeline
from cases.models import AuditEvent, Case, DutyTick, PhaseEvent
from cases.timeline import ALLOWED_MOVES, Phase

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a, b in itertools.product(Phase, Phase) if a != b]
ALLOWED = sorted(ALLOWED_MOVES)
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in ALLOWED_MOVES]


def put_in_phase(case: Case, phase: Phase) -> Case:
    """Place a case in ``phase`` as if it had got there (test set-up, not a move)."""
    Case.objects.filter(pk=case.pk).update(phase=phase)
    case.refresh_from_db()
    return case


def test_the_timeline_allows_the_surgical_and_non_surgical_paths_and_re_entry() -> None:
    assert (Phase.MDT_TUMOR_BOARD, Phase.PRE_OPERATIVE) in ALLOWED_MOVES
    assert (Phase.MDT_TUMOR_BOARD, Phase.SURVEILLANCE) in ALLOWED_MOVES  # radiotherapy path
    assert (Phase.SURVEILLANCE, Phase.SPINE_METASTASIS_DETECTION) in ALLOWED_MOVES  # progression
    assert len(ALLOWED_MOVES) == 9


@pytest.mark.parametrize(("src", "dst"), ALLOWED, ids=lambda p: str(p))
def test_each_allowed_move_writes_one_event_with_who_when_from_to_why(
    care_case: Case, breast_surgeon, src: Phase, dst: Phase
) -> None:
    case = put_in_phase(care_case, src)
    version = case.version
    event = services.case_transition(case=case, to_phase=dst, reason="MDT decision",
                                     actor=breast_surgeon)
    case.refresh_from_db()
    assert case.phase == dst
    assert case.current_event == event
    assert case.version == version + 1
    assert (event.from_phase, event.to_phase, event.actor, event.reason) == (
        src, dst, breast_surgeon, "MDT decision")
    assert event.at is not None and event.timeline_version == timeline.TIMELINE_VERSION
    assert AuditEvent.objects.filter(action="transition", case_id=case.pk).count() == 1


@pytest.mark.parametrize(("src", "dst"), FORBIDDEN, ids=lambda p: str(p))
def test_each_forbidden_move_is_refused_with_the_allowed_moves_and_writes_nothing(
    care_case: Case, neurosurgeon, src: Phase, dst: Phase
) -> None:
    case = put_in_phase(care_case, src)
    events = PhaseEvent.objects.count()
    with pytest.raises(services.PhaseMoveForbidden) as refused:
        services.case_transition(case=case, to_phase=dst, reason="try", actor=neurosurgeon)
    assert refused.value.allowed == [p.value for p in timeline.allowed_moves(src)]
    case.refresh_from_db()
    assert case.phase == src
    assert PhaseEvent.objects.count() == events


def test_a_move_needs_a_reason_and_a_known_phase(care_case: Case, breast_surgeon) -> None:
    with pytest.raises(ValidationError) as no_reason:
        services.case_transition(case=care_case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                                 reason="  ", actor=breast_surgeon)
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as bad_phase:
        services.case_transition(case=care_case, to_phase="theatre", reason="x",
                                 actor=breast_surgeon)
    assert "to_phase" in bad_phase.value.message_dict


def test_a_full_surgical_journey_and_re_entry_keeps_every_event_in_order(
    care_case: Case, breast_surgeon
) -> None:
    path = [Phase.SPINE_METASTASIS_DETECTION, Phase.MDT_TUMOR_BOARD, Phase.PRE_OPERATIVE,
            Phase.SURGERY, Phase.POST_OPERATIVE, Phase.SURVEILLANCE,
            Phase.SPINE_METASTASIS_DETECTION]
    for phase in path:
        services.case_transition(case=care_case, to_phase=phase, reason=f"to {phase}",
                                 actor=breast_surgeon)
    events = list(care_case.phase_events.values_list("from_phase", "to_phase"))
    assert events[0] == ("", Phase.INITIAL_DIAGNOSIS)
    assert [to for _, to in events[1:]] == path


def test_a_coordinator_sees_but_cannot_move_the_case(care_case: Case, coordinator) -> None:
    with pytest.raises(PermissionDenied):
        services.case_transition(case=care_case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                                 reason="x", actor=coordinator)


def test_a_case_opens_only_in_a_start_phase(breast_surgeon, breast_team) -> None:
    from tests.factories import create_case

    with pytest.raises(ValidationError) as refused:
        create_case(actor=breast_surgeon, breast_team=breast_team, phase=Phase.SURGERY)
    assert "phase" in refused.value.message_dict
    case = create_case(actor=breast_surgeon, breast_team=breast_team,
                       phase=Phase.SPINE_METASTASIS_DETECTION)
    assert case.phase_events.get().from_phase == ""


# --- checklist (S2 Table 4) -----------------------------------------------------------------


def test_every_phase_has_duties_for_both_surgical_specialties() -> None:
    # S2 Table 4 names both surgeons in every phase; the other specialties (issue 19, S2 Table 3)
    # have duties in the phases they work in.
    for phase in Phase:
        specialties = {duty.specialty for duty in timeline.duties(phase)}
        assert {timeline.Specialty.BREAST_ONCOSURGEON,
                timeline.Specialty.NEUROSURGEON} <= specialties, phase


def test_a_duty_is_ticked_with_who_and_when_by_its_own_specialty(
    care_case: Case, breast_surgeon, neurosurgeon
) -> None:
    event = care_case.current_event
    tick = services.duty_tick(case=care_case, event=event, duty_code="staging_workup",
                              actor=breast_surgeon)
    assert tick.ticked_by == breast_surgeon and tick.ticked_at is not None
    with pytest.raises(ValidationError):  # a breast duty is not the neurosurgeon's to tick
        services.duty_tick(case=care_case, event=event, duty_code="primary_resection",
                           actor=neurosurgeon)
    with pytest.raises(ValidationError):  # twice
        services.duty_tick(case=care_case, event=event, duty_code="staging_workup",
                           actor=breast_surgeon)
    with pytest.raises(ValidationError):  # not a duty of this phase
        services.duty_tick(case=care_case, event=event, duty_code="plan_surgery",
                           actor=breast_surgeon)
    services.duty_tick(case=care_case, event=event, duty_code="neuro_review_if_symptomatic",
                       actor=neurosurgeon)
    assert DutyTick.objects.filter(case=care_case).count() == 2
    assert AuditEvent.objects.filter(case_id=care_case.pk, action="tick").count() == 2


def test_an_untick_removes_the_tick_and_is_audited(care_case: Case, breast_surgeon) -> None:
    tick = services.duty_tick(case=care_case, event=care_case.current_event,
                              duty_code="staging_workup", actor=breast_surgeon)
    services.duty_untick(case=care_case, tick=tick, actor=breast_surgeon)
    assert not DutyTick.objects.filter(case=care_case).exists()
    assert AuditEvent.objects.filter(case_id=care_case.pk, action="untick").count() == 1


def test_re_entering_a_phase_starts_a_fresh_checklist(care_case: Case, breast_surgeon) -> None:
    first = services.case_transition(case=care_case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                                     reason="lesion", actor=breast_surgeon)
    services.duty_tick(case=care_case, event=first, duty_code="review_sins",
                       actor=breast_surgeon)
    case = put_in_phase(care_case, Phase.SURVEILLANCE)
    again = services.case_transition(case=case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                                     reason="progression", actor=breast_surgeon)
    assert again.ticks.count() == 0
    assert first.ticks.count() == 1
