"""Two worlds for the security suites: team A (the personas of tests/conftest.py) and team B
(another hospital team: mallory the outsider and her colleagues), each with a case that has a
lesion, an assessment, an accepted referral with its alerts, and a planned MDT meeting with the
case on its agenda. Every role of team A is tried on A's objects (its own) and B's (another
team's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from referrals.models import Alert, Referral
from tests.factories import InstitutionFactory, TeamFactory, UserFactory, add_member, make_mdt_case
from tumorboard.models import Team, User
from tumorboard.roles import Role


@dataclass
class World:
    """One team's objects: the ids the URL patterns need."""

    case: Any
    referral: Referral
    alert: Alert | None
    meeting: Any
    item: Any
    task: Any = None

    def kwargs(self) -> dict[str, int | str]:
        return {
            "case_id": self.case.pk, "patient_id": self.case.patient_id, "pk": self.case.pk,
            "referral_id": self.referral.pk,
            "assessment_id": self.case.assessments.first().pk,
            "alert_id": self.alert.pk if self.alert is not None else 0,
            "meeting_id": self.meeting.pk, "item_id": self.item.pk,
            "event_id": self.case.phase_events.first().pk,
            "lesion_id": self.case.lesions.first().pk,
            "user_id": self.meeting.attendances.first().user_id,
            "task_id": self.task.pk if self.task is not None else 0,
        }


def build_world(*, breast: User, neuro: User, coordinator: User, attendees: list[User],
                teams: dict[str, Team]) -> World:
    case = make_mdt_case(breast_surgeon=breast, neurosurgeon=neuro, teams=teams)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    meeting = meeting_services.meeting_create(
        mdt_team=teams["mdt_team"], starts_at=timezone.now() + dt.timedelta(days=3), chair=neuro,
        coordinator=coordinator, actor=coordinator, place="Room", attendees=attendees)
    items = meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    assert items, "the case did not reach the agenda"
    return World(case=case, referral=referral, alert=Alert.objects.filter(
        referral=referral, recipient=neuro).first(), meeting=meeting, item=items[0],
        task=_follow_through_task(items[0], neuro))


def _follow_through_task(item: Any, owner: User) -> Any:
    """A follow-through task of the case, from a decision of an earlier, finalized meeting (rows
    as finalizing leaves them), so that the planned meeting's rows of the matrix are unchanged."""
    from followthrough.models import FollowThroughTask
    from meetings.models import AgendaItem, Decision, Meeting

    now = timezone.now()
    meeting = item.meeting
    earlier = Meeting.objects.create(
        mdt_team=meeting.mdt_team, starts_at=now - dt.timedelta(days=7), chair=meeting.chair,
        coordinator=meeting.coordinator, created_by=meeting.coordinator, place="Room",
        status=Meeting.Status.FINALIZED, finalized_at=now - dt.timedelta(days=7))
    earlier_item = AgendaItem.objects.create(
        meeting=earlier, case=item.case, position=1, referred_at=item.referred_at,
        priority_reason="earlier")
    decision = Decision.objects.create(
        item=earlier_item, pathway="cebrt", responsible=owner, rationale="r",
        follows_recommendation=True, decided_by=owner, decided_at=now - dt.timedelta(days=7))
    return FollowThroughTask.objects.create(
        case=item.case, decision=decision, kind="restaging_mri", owner=owner,
        due_at=now + dt.timedelta(days=90), policy_version="follow-through v1")


@pytest.fixture
def medical_oncologist(mdt_team: Team) -> User:
    user = UserFactory(username="mona", role=Role.MEDICAL_ONCOLOGIST)
    add_member(mdt_team, user)
    return user


@pytest.fixture
def world_a(breast_surgeon, neurosurgeon, coordinator, oncologist, medical_oncologist,
            breast_team, spine_team, mdt_team) -> World:
    return build_world(breast=breast_surgeon, neuro=neurosurgeon, coordinator=coordinator,
                       attendees=[breast_surgeon, oncologist, medical_oncologist],
                       teams={"breast_team": breast_team, "spine_team": spine_team,
                              "mdt_team": mdt_team})


@pytest.fixture
def world_b(outsider) -> World:
    """Another team's case, in another hospital: an MDT coordinator sees every case of their own
    institution (DESIGN.md), so the other side of the matrix is another institution's."""
    other = InstitutionFactory(code="hospital-b", name="Hospital B")
    User.objects.filter(pk=outsider.pk).update(institution=other)
    outsider.refresh_from_db()
    breast_team_b = outsider.teams.get()
    Team.objects.filter(pk=breast_team_b.pk).update(institution=other)
    spine_b = TeamFactory(name="Spine Service B", kind=Team.Kind.SPINE, institution=other)
    mdt_b = TeamFactory(name="MDT B", kind=Team.Kind.MDT, institution=other)
    neuro_b = UserFactory(username="nick", role=Role.NEUROSURGEON, institution=other)
    add_member(spine_b, neuro_b, lead=True)
    coord_b = UserFactory(username="cora", role=Role.COORDINATOR, institution=other)
    add_member(mdt_b, coord_b, lead=True)
    return build_world(breast=outsider, neuro=neuro_b, coordinator=coord_b, attendees=[outsider],
                       teams={"breast_team": breast_team_b, "spine_team": spine_b,
                              "mdt_team": mdt_b})
