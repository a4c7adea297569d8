"""Which cases agenda population finds (meetings.agenda.agenda_eligible_cases): every edge of
the rule, and the same rows in the same order as the rule's first form, which started from every
case the coordinator sees (bench/RESULTS.md item 4 (b) rewrote it to start from the candidates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases import services as case_services
from cases.access import visible_case_condition
from cases.models import Case
from cases.timeline import Phase
from meetings import services
from meetings.agenda import ELIGIBLE_REFERRAL_STATUSES, agenda_eligible_cases
from meetings.models import OPEN_MEETING_STATUSES, AgendaItem, Decision, MeetingStatus
from referrals.models import Referral
from tests.factories import (
    InstitutionFactory,
    PatientFactory,
    TeamFactory,
    make_mdt_case,
    on_its_day,
)
from tests.meetings.conftest import mark_all_present
from tumorboard.models import Team

pytestmark = pytest.mark.django_db


def _first_form(meeting):
    """The rule as it was written before the rewrite: the oracle of the comparison."""
    accepted = Referral.objects.filter(case=OuterRef("pk"), status__in=ELIGIBLE_REFERRAL_STATUSES)
    decided = Decision.objects.filter(item__case=OuterRef("pk"),
                                      item__meeting__status=MeetingStatus.FINALIZED,
                                      decided_at__gte=OuterRef("current_event__at"))
    elsewhere = (AgendaItem.objects.filter(case=OuterRef("pk"),
                                           meeting__status__in=OPEN_MEETING_STATUSES)
                 .exclude(meeting_id=meeting.pk))
    return (
        Case.objects.filter(visible_case_condition(user=meeting.coordinator),
                            patient__institution_id=meeting.mdt_team.institution_id)
        # Since the access model of issue 15 a coordinator sees the institution's cases: the
        # meeting takes those of its own MDT team (or of none).
        .filter(Q(mdt_team_id=meeting.mdt_team_id) | Q(mdt_team__isnull=True))
        .filter(Exists(accepted) | (Q(phase=Phase.MDT_TUMOR_BOARD) & ~Exists(decided)))
        .exclude(Exists(elsewhere))
    )


def _to_mdt_phase(case, actor):
    for phase in ("spine_metastasis_detection", "mdt_tumor_board"):
        case_services.case_transition(case=case, to_phase=phase, reason="worked up", actor=actor)
    case.refresh_from_db()
    return case


def _decide_at_a_finalized_meeting(case, *, coordinator, neurosurgeon, breast_surgeon,
                                   oncologist, mdt_team, days):
    past = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=days),
        chair=neurosurgeon, coordinator=coordinator, actor=coordinator, place="Room 3",
        attendees=[breast_surgeon, oncologist])
    item = services.agenda_item_add(meeting=past, case=case, actor=breast_surgeon)
    services.meeting_lock(meeting=past, actor=coordinator)
    services.meeting_start(meeting=on_its_day(past), actor=coordinator)
    mark_all_present(past, coordinator)
    services.decision_record(item=item, actor=coordinator, pathway="cebrt",
                             rationale="Radiosensitive, low grade.", responsible=neurosurgeon,
                             override_reason="Decided on the imaging shown at the meeting.")
    services.meeting_finalize(meeting=past, actor=coordinator)


def test_eligibility_edges_are_those_of_the_first_form_in_the_same_order(
        meeting, coordinator, neurosurgeon, breast_surgeon, oncologist, teams, mdt_team) -> None:
    def make(**kwargs):
        return make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams, **kwargs)

    decide = {"coordinator": coordinator, "neurosurgeon": neurosurgeon,
              "breast_surgeon": breast_surgeon, "oncologist": oncologist, "mdt_team": mdt_team}
    accepted = make()
    listed = make()
    Referral.objects.filter(case=listed).update(status="listed_for_mdt")
    waiting = make(accept=False)  # sent, not triaged yet
    closed = make()
    Referral.objects.filter(case=closed).update(status="closed")
    in_phase = _to_mdt_phase(make(accept=False), breast_surgeon)
    decided = _to_mdt_phase(make(accept=False), breast_surgeon)
    _decide_at_a_finalized_meeting(decided, days=1, **decide)
    # Decided at a finalized meeting before it entered the MDT phase again: eligible again.
    decided_before = _to_mdt_phase(make(accept=False), breast_surgeon)
    _decide_at_a_finalized_meeting(decided_before, days=2, **decide)
    # The decision moved it on to surveillance (followthrough, §15); a new finding brings it back.
    _to_mdt_phase(decided_before, breast_surgeon)
    Decision.objects.filter(item__case=decided_before).update(
        decided_at=decided_before.current_event.at - dt.timedelta(days=1))
    # Accepted, and on the agenda of this meeting already (added by hand): still eligible.
    on_this = make()
    services.agenda_item_add(meeting=meeting, case=on_this, actor=breast_surgeon)
    # Accepted, but on another open meeting's agenda.
    on_other = make()
    other = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=10), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 1")
    services.agenda_item_add(meeting=other, case=on_other, actor=breast_surgeon)
    # Accepted, but of another institution, and of an MDT team the coordinator is not in.
    elsewhere_patient = PatientFactory(institution=InstitutionFactory(code="other",
                                                                      name="Other Hospital"))
    other_institution = make(patient=elsewhere_patient)
    unseen = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                           teams={**teams, "mdt_team": TeamFactory(name="Other MDT",
                                                                   kind=Team.Kind.MDT)})

    found = list(agenda_eligible_cases(meeting=meeting).values_list("pk", flat=True))

    assert set(found) == {accepted.pk, listed.pk, in_phase.pk, decided_before.pk, on_this.pk}
    assert not {waiting.pk, closed.pk, decided.pk, on_other.pk, other_institution.pk,
                unseen.pk} & set(found)
    # The first form had no ORDER BY (its scan gave case-id order); the rewrite orders by id.
    assert found == sorted(found)
    assert found == list(_first_form(meeting).order_by("pk").values_list("pk", flat=True))
