"""Meeting fixtures: the MDT of S2 §6.2 around the shared personas.

carol (coordinator) runs the meetings of the Spine MDT; bob (neurosurgeon) chairs; alice
(breast oncosurgeon), bob and olga (radiation oncologist) are the quorum roles; mallory is the
outsider.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from tests.factories import make_mdt_case
from tumorboard.models import Team, User


@pytest.fixture
def meeting(coordinator: User, neurosurgeon: User, breast_surgeon: User, oncologist: User,
            mdt_team: Team) -> Meeting:
    return services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=3), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2",
        attendees=[breast_surgeon, oncologist],
    )


@pytest.fixture
def mdt_case(breast_surgeon: User, neurosurgeon: User, teams: dict[str, Team]) -> Any:
    """One accepted, assessed case (SINS 9, Bilsky 1b: green; NOMS cEBRT)."""
    return make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)


def mark_all_present(meeting: Meeting, actor: User) -> None:
    for attendance in meeting.attendances.all():
        services.attendance_record(meeting=meeting, user_id=attendance.user_id, present=True,
                                   actor=actor)
