"""Shared fixtures of the API-product tests: a finalized MDT world and an integration client."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_mdt_case, on_its_day
from tumorboard.models import Team, User


def build_world(*, breast_surgeon: User, neurosurgeon: User, coordinator: User,
                oncologist: User, breast_team: Team, spine_team: Team, mdt_team: Team,
                finalize: bool = True) -> SimpleNamespace:
    """One assessed case with an accepted referral, decided at an MDT meeting (finalized)."""
    from meetings import services
    from meetings.models import AgendaItem
    from referrals.models import Referral

    teams = {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    meeting = services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=3), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2",
        attendees=[breast_surgeon, oncologist])
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    decision = services.decision_record(item=item, actor=coordinator, pathway="cebrt",
                                        rationale="Low grade, radiosensitive.",
                                        responsible=neurosurgeon, urgency="green")
    if finalize:
        for attendance in meeting.attendances.all():
            services.attendance_record(meeting=meeting, user_id=attendance.user_id,
                                       present=True, actor=coordinator)
        services.meeting_finalize(meeting=meeting, actor=coordinator)
    case.refresh_from_db()
    return SimpleNamespace(
        case=case, patient=case.patient, meeting=meeting, decision=decision,
        assessment=case.latest_assessment,
        referral=Referral.objects.get(case=case, direction="breast_to_neuro"),
    )


@pytest.fixture
def world(breast_surgeon: User, neurosurgeon: User, coordinator: User, oncologist: User,
          breast_team: Team, spine_team: Team, mdt_team: Team) -> SimpleNamespace:
    return build_world(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                       coordinator=coordinator, oncologist=oncologist, breast_team=breast_team,
                       spine_team=spine_team, mdt_team=mdt_team)


@pytest.fixture
def his(breast_team: Team) -> SimpleNamespace:
    """An integration client granted the breast team, with its token."""
    from integrations.services import integration_client_save
    from integrations.tokens import token_create

    user = integration_client_save(username="his-north", teams=[breast_team])
    token, raw = token_create(user=user, name="north")
    return SimpleNamespace(user=user, token=token, raw=raw)


def token_client(raw: str) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client
