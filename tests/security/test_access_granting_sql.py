"""The access rule's granting rows are read as SQL (``cases.access.GrantingRows``, issue 22):
each source's SQL, and the rule's own rows, give exactly the rows that the ORM gives for the
same definition, for people of every role, at the edges of each time window.

The ORM queries here are the specification (DESIGN.md, "Who sees a case"); the SQL is what runs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases import access
from cases.models import CareTeamMember, CareTeamReason, Case
from meetings.access import attendee_cases, attendee_window_start
from meetings.models import AgendaItem, Attendance, Meeting, MeetingStatus
from referrals.models import OPEN_STATUSES, TO_RADIATION_ONCOLOGY, Referral, ReferralStatus
from referrals.services.radiotherapy import RECENT, radiation_access
from tests.factories import TeamFactory, UserFactory, add_member, create_case
from tumorboard.models import TeamMembership
from tumorboard.roles import CARE_ROLES, Role

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _rows(granting: access.GrantingRows | None) -> set[int]:
    if granting is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(granting.sql, granting.params)
        return {case_id for (case_id,) in cursor.fetchall()}


def _attended_by_orm(user) -> set[int]:
    if user.role not in CARE_ROLES:
        return set()
    attends = Attendance.objects.filter(meeting_id=OuterRef("meeting_id"), user_id=user.pk)
    still_open = (Q(meeting__finalized_at__isnull=True)
                  | Q(meeting__finalized_at__gte=attendee_window_start()))
    return set(AgendaItem.objects.filter(still_open, Exists(attends))
               .values_list("case_id", flat=True))


def _referred_by_orm(user) -> set[int]:
    if user.role != Role.RADIATION_ONCOLOGIST:
        return set()
    teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
    since = timezone.now() - RECENT
    return set(Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY,
                                       receiving_team_id__in=teams)
               .filter(Q(status__in=OPEN_STATUSES) | Q(updated_at__gte=since))
               .values_list("case_id", flat=True))


@pytest.fixture
def world(breast_surgeon, neurosurgeon, coordinator, teams):
    """Cases on meetings open, finalized inside and outside the window; radiotherapy referrals
    open, closed inside and outside 180 days, to another service; oncologists and care teams."""
    now = timezone.now()
    radonc_team = TeamFactory(name="Radiation oncology A")
    other_radonc_team = TeamFactory(name="Radiation oncology B")
    radonc = UserFactory(username="radonc-sql", role=Role.RADIATION_ONCOLOGIST)
    add_member(radonc_team, radonc)
    medonc = UserFactory(username="medonc-sql", role=Role.MEDICAL_ONCOLOGIST)
    palliative = UserFactory(username="palliative-sql", role=Role.PALLIATIVE_CARE_PHYSICIAN)
    integration = UserFactory(username="his-sql", role=Role.INTEGRATION)
    cases = [create_case(actor=breast_surgeon, **teams) for _ in range(12)]
    meetings = {}
    for name, finalized in (("open", None),
                            ("inside", attendee_window_start() + DAY),
                            ("outside", attendee_window_start() - DAY)):
        meetings[name] = Meeting.objects.create(
            mdt_team=teams["mdt_team"], starts_at=now - 40 * DAY, chair=coordinator,
            coordinator=coordinator, created_by=coordinator, finalized_at=finalized,
            place="Room 4",
            status=MeetingStatus.FINALIZED if finalized else MeetingStatus.PLANNED)
    for position, (meeting, case) in enumerate(
            [("open", 0), ("open", 1), ("inside", 2), ("outside", 3), ("outside", 4)]):
        AgendaItem.objects.create(meeting=meetings[meeting], case=cases[case],
                                  position=position, referred_at=now, priority_reason="test")
    for person, meeting in ((medonc, "open"), (medonc, "inside"), (medonc, "outside"),
                            (palliative, "outside"), (radonc, "inside"),
                            (integration, "open")):
        Attendance.objects.create(meeting=meetings[meeting], user=person, role=person.role)
    for case, team, status, age in ((5, radonc_team, ReferralStatus.SENT, 400),
                                    (6, radonc_team, ReferralStatus.CLOSED, 10),
                                    (7, radonc_team, ReferralStatus.CLOSED, 200),
                                    (8, other_radonc_team, ReferralStatus.ACCEPTED, 1)):
        referral = Referral.objects.create(case=cases[case], direction=TO_RADIATION_ONCOLOGY,
                                           status=status, receiving_team=team)
        Referral.objects.filter(pk=referral.pk).update(updated_at=now - age * DAY)
    cases[9].oncologists.add(medonc)
    CareTeamMember.objects.create(case=cases[10], user=palliative,
                                  reason=CareTeamReason.SPECIALIST_CARE)
    CareTeamMember.objects.create(case=cases[11], user=radonc,
                                  reason=CareTeamReason.REFERRAL_RECEIVER)
    people = [breast_surgeon, neurosurgeon, coordinator, radonc, medonc, palliative,
              integration]
    return {"cases": cases, "people": people, "radonc": radonc, "medonc": medonc,
            "palliative": palliative}


def test_each_source_gives_the_rows_its_orm_definition_gives(world) -> None:
    for person in world["people"]:
        assert _rows(attendee_cases(person)) == _attended_by_orm(person), person.username
        assert _rows(radiation_access(person)) == _referred_by_orm(person), person.username
    # The world is not trivial: each window's edge leaves a case in and one out.
    cases = world["cases"]
    assert _attended_by_orm(world["medonc"]) == {cases[0].pk, cases[1].pk, cases[2].pk}
    assert _attended_by_orm(world["palliative"]) == set()
    assert _referred_by_orm(world["radonc"]) == {cases[5].pk, cases[6].pk}


def test_the_rules_granting_rows_are_its_orm_definition(world) -> None:
    for person in world["people"]:
        teams = sorted(TeamMembership.objects.filter(user_id=person.pk)
                       .values_list("team_id", flat=True))
        one_by_one = (
            set(Case.oncologists.through.objects.filter(user_id=person.pk)
                .values_list("case_id", flat=True))
            | set(CareTeamMember.objects.filter(user_id=person.pk)
                  .values_list("case_id", flat=True))
            | _attended_by_orm(person) | _referred_by_orm(person))
        sources = [source(person) for source in access.access_sources().values()]
        granting = [rows for rows in sources if isinstance(rows, access.GrantingRows)]
        assert access._granting_ids(person, granting) == (teams, sorted(one_by_one)), \
            person.username
