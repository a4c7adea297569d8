"""Polling never misses a change (issue 20): every kind of change a client sees of a case (its
referrals, its assessment, the meeting whose agenda holds it, its decision) puts the case in
``GET /api/v1/cases/?updated_since=``, whatever made the change: the services, the Django admin,
or plain ORM writes (model signals).

Each check first moves the case's ``updated_at`` far into the past and shows that the poll does
not list it; then it makes one change and shows that the poll lists it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, Patient
from tests.factories import make_mdt_case, on_its_day
from tumorboard.models import Team, User

PAST = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
SINCE = "2002-01-01T00:00:00Z"


def _polled(client: APIClient) -> set[int]:
    seen: set[int] = set()
    url: str | None = reverse("api-cases") + f"?updated_since={SINCE}"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        seen |= {row["id"] for row in answer.json()["results"]}
        url = answer.json()["next"]
    return seen


class Poller:
    def __init__(self, user: User) -> None:
        self.client = APIClient()
        self.client.force_authenticate(user)
        self.missed: list[str] = []

    def sees(self, what: str, cases: list[Case], change: Callable[[], Any]) -> Any:
        """Make ``change`` and record it as missed unless the poll lists each of ``cases``."""
        ids = {case.pk for case in cases}
        Case.objects.filter(pk__in=ids).update(updated_at=PAST)
        assert not ids & _polled(self.client), f"{what}: the case was listed before the change"
        result = change()
        if not ids <= _polled(self.client):
            self.missed.append(what)
        return result


@pytest.fixture
def poller(breast_surgeon: User) -> Poller:
    return Poller(breast_surgeon)


def _mdt_case(breast_surgeon: User, neurosurgeon: User, teams: dict[str, Team],
              **kwargs: Any) -> Case:
    return make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         **kwargs)


@pytest.mark.django_db
def test_every_change_through_the_services_is_polled(
        poller: Poller, breast_surgeon: User, neurosurgeon: User, coordinator: User,
        oncologist: User, teams: dict[str, Team]) -> None:
    from meetings import services as meetings
    from meetings.models import AgendaItem
    from referrals import services as referrals
    from referrals.models import Referral

    case = _mdt_case(breast_surgeon, neurosurgeon, teams, accept=False)
    other = _mdt_case(breast_surgeon, neurosurgeon, teams)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    poller.sees("referral escalated", [case], lambda: referrals.escalate_due(
        now=timezone.now() + dt.timedelta(days=30)))
    poller.sees("referral acknowledged", [case], lambda: referrals.referral_acknowledge(
        referral=referral, actor=neurosurgeon))
    poller.sees("referral accepted", [case], lambda: referrals.referral_accept(
        referral=Referral.objects.get(pk=referral.pk), actor=neurosurgeon))

    meeting = meetings.meeting_create(
        mdt_team=teams["mdt_team"], starts_at=timezone.now() + dt.timedelta(days=3),
        chair=neurosurgeon, coordinator=coordinator, actor=coordinator, place="Room 2",
        attendees=[breast_surgeon, oncologist])
    poller.sees("case put on the agenda", [case], lambda: meetings.agenda_item_add(
        meeting=meeting, case=case, actor=breast_surgeon, question="Surgery?"))
    poller.sees("agenda populated", [other], lambda: meetings.agenda_populate(
        meeting=meeting, actor=coordinator))
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    direction = "down" if item.position == 1 else "up"
    poller.sees("agenda reordered", [case, other], lambda: meetings.agenda_item_move(
        item=item, direction=direction, actor=coordinator))
    poller.sees("agenda locked", [case, other], lambda: meetings.meeting_lock(
        meeting=meeting, actor=coordinator))
    poller.sees("agenda reopened", [case, other], lambda: meetings.meeting_reopen(
        meeting=meeting, actor=coordinator, reason="a late case"))
    meetings.meeting_lock(meeting=meeting, actor=coordinator)
    poller.sees("session started", [case, other], lambda: meetings.meeting_start(
        meeting=on_its_day(meeting), actor=coordinator))

    item = AgendaItem.objects.get(meeting=meeting, case=case)
    poller.sees("decision recorded", [case], lambda: meetings.decision_record(
        item=item, actor=coordinator, pathway="cebrt", responsible=neurosurgeon,
        rationale="Radiosensitive.", override_reason="board's choice"))
    poller.sees("decision corrected", [case], lambda: meetings.decision_record(
        item=item, actor=coordinator, pathway="srs", responsible=neurosurgeon,
        rationale="Oligometastatic.", override_reason="board's choice"))
    meetings.decision_record(item=AgendaItem.objects.get(meeting=meeting, case=other),
                             actor=coordinator, pathway="cebrt", responsible=neurosurgeon,
                             rationale="Radiosensitive.", override_reason="board's choice")
    for attendance in meeting.attendances.all():
        meetings.attendance_record(meeting=meeting, user_id=attendance.user_id, present=True,
                                   actor=coordinator)
    poller.sees("meeting finalized", [case, other], lambda: meetings.meeting_finalize(
        meeting=meeting, actor=coordinator))
    decision = AgendaItem.objects.get(meeting=meeting, case=case).decision
    poller.sees("decision follow-up", [case], lambda: meetings.decision_follow_up(
        decision=decision, actor=coordinator, carried_out=True,
        carried_out_at=timezone.localdate()))
    assert poller.missed == []


@pytest.mark.django_db
def test_every_clinical_change_through_the_services_is_polled(
        poller: Poller, breast_surgeon: User, neurosurgeon: User,
        teams: dict[str, Team]) -> None:
    from cases import services
    from cases.models import SpinalLesion
    from tests.factories import STUDY

    case = _mdt_case(breast_surgeon, neurosurgeon, teams, assess=False)
    lesion = SpinalLesion.objects.get(case=case)
    poller.sees("assessment run", [case], lambda: services.assessment_create(
        case=case, actor=breast_surgeon))
    poller.sees("study added, assessment recomputed", [case],
                lambda: services.lesion_imaging_add(
                    lesion=lesion, actor=breast_surgeon,
                    **{**STUDY, "imaging_date": timezone.localdate(), "bilsky": "2"}))
    poller.sees("case updated", [Case.objects.get(pk=case.pk)], lambda: services.case_update(
        case=Case.objects.get(pk=case.pk), actor=breast_surgeon, expected_version=None, kps=60))
    assert poller.missed == []


def _form_data(obj: Any, **changes: Any) -> dict[str, Any]:
    data = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return {**data, "_save": "Save"}


@pytest.mark.django_db
def test_every_change_through_the_admin_is_polled(
        client: Any, poller: Poller, breast_surgeon: User, neurosurgeon: User,
        admin_person: User, teams: dict[str, Team]) -> None:
    from cases.models import LesionImaging

    case = _mdt_case(breast_surgeon, neurosurgeon, teams)
    client.force_login(admin_person)

    def post(name: str, obj: Any, **changes: Any) -> None:
        answer = client.post(reverse(f"admin:cases_{name}_change", args=[obj.pk]),
                             _form_data(obj, **changes))
        assert answer.status_code == 302, answer.content.decode()[:2000]

    poller.sees("patient repaired in the admin", [case],
                lambda: post("patient", case.patient, family_name="Renamed"))
    study = LesionImaging.objects.get(lesion__case=case)
    poller.sees("study repaired in the admin", [case],
                lambda: post("lesionimaging", study, bilsky="3"))
    assert poller.missed == []


@pytest.mark.django_db
def test_every_plain_orm_write_is_polled(
        poller: Poller, breast_surgeon: User, neurosurgeon: User, coordinator: User,
        oncologist: User, breast_team: Team, spine_team: Team, mdt_team: Team) -> None:
    from meetings.models import AgendaItem, Decision, Meeting
    from referrals.models import Referral
    from tests.api.conftest import build_world

    world = build_world(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                        coordinator=coordinator, oncologist=oncologist, breast_team=breast_team,
                        spine_team=spine_team, mdt_team=mdt_team, finalize=False)
    case = world.case

    def reschedule() -> None:
        meeting = Meeting.objects.get(pk=world.meeting.pk)
        meeting.starts_at += dt.timedelta(hours=2)
        meeting.save()

    def decide_again() -> None:
        decision = Decision.objects.get(pk=world.decision.pk)
        decision.pathway = "srs"
        decision.save()

    def rename() -> None:
        patient = Patient.objects.get(pk=case.patient_id)
        patient.given_name = "Other"
        patient.save()

    def referral_note() -> None:
        referral = Referral.objects.get(pk=world.referral.pk)
        referral.note = "a note"
        referral.save(update_fields=["note"])

    poller.sees("meeting rescheduled", [case], reschedule)
    poller.sees("decision changed", [case], decide_again)
    poller.sees("patient renamed", [case], rename)
    poller.sees("referral changed", [case], referral_note)
    poller.sees("decision deleted", [case], lambda: Decision.objects.filter(
        pk=world.decision.pk).get().delete())
    poller.sees("case taken off the agenda", [case], lambda: AgendaItem.objects.get(
        meeting=world.meeting, case=case).delete())
    assert poller.missed == []
