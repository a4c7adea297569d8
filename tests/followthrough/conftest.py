"""Follow-through fixtures: a meeting of the MDT (tests/meetings/conftest.py) in session with
one case (recommended cEBRT), and a helper that decides and finalizes it."""

from __future__ import annotations

from typing import Any

import pytest

from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting
from tests.factories import on_its_day
from tests.meetings.conftest import mark_all_present, mdt_case, meeting  # noqa: F401
from tumorboard.models import User


@pytest.fixture
def session(meeting: Meeting, coordinator: User, mdt_case: Any) -> Meeting:  # noqa: F811
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    meeting.refresh_from_db()
    return meeting


def decide_and_finalize(session: Meeting, *, actor: User, responsible: User, pathway: str,
                        urgency: str = "green", stabilisation: bool = False) -> Meeting:
    item = AgendaItem.objects.get(meeting=session)
    meeting_services.decision_record(
        item=item, actor=actor, pathway=pathway, rationale="As discussed.",
        responsible=responsible, urgency=urgency, stabilisation=stabilisation,
        override_reason="" if pathway == "cebrt" and not stabilisation else "Board's view.")
    mark_all_present(session, actor)
    return meeting_services.meeting_finalize(meeting=session, actor=actor)
