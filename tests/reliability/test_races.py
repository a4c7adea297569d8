"""Races (issue 11): 20 threads behind a barrier do the same thing at once, 50 rounds each.

Each thread is its own HTTP client through the whole Django and DRF stack (session
authentication) with its own PostgreSQL connection, closed at its end. Every round must have
exactly one winner, 409 for the others, no 5xx, and exactly one event row for the change:
triaging one referral, raising a referral for one case, locking an agenda, finalizing a meeting's
decisions, and editing one case with the version read (the stale write gets 409, no lost update).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting, MeetingEvent
from referrals import services as referral_services
from referrals.models import Referral, ReferralEvent
from tests.conftest import require_service
from tests.factories import add_lesion, create_case, on_its_day
from tests.reliability.conftest import record_figures
from tumorboard.models import Team, User

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = int(os.environ.get("RELIABILITY_RACE_ROUNDS", "50"))

Request = Callable[[APIClient, int], Any]  # (client, thread index) -> response


@pytest.fixture(autouse=True)
def _postgresql_only(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    if connection.vendor != "postgresql":
        require_service("the races need PostgreSQL row locks: set DATABASE_URL=postgres://...")
    # 5,000 requests in a minute from two people: the point is the race, not the rate limit.
    settings.API_THROTTLE_RATE = None
    # Import the URLconf and DRF's settings once here: twenty first requests importing them in
    # twenty threads at once trip over half-initialised modules (not what is tested).
    APIClient().get("/api/v1/ping/")
    # The alerts these changes create are committed rows (asserted elsewhere); their delivery
    # is the subject of the worker and broker tests, so nothing is published here.
    monkeypatch.setattr("referrals.services.alerts._enqueue", lambda ids: None)


def _client(user: User) -> APIClient:
    """A logged-in browser session of ``user`` (its own session row, as a second tab has)."""
    client = APIClient(raise_request_exception=False)
    client.force_login(user)
    return client


def race(clients: list[APIClient], request: Request) -> tuple[Counter[int], list[Any]]:
    """Run ``request`` in one thread per client, all released at once by a barrier."""
    barrier = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            responses[index] = request(clients[index], index)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(r is not None for r in responses), "a thread did not answer"
    return Counter(r.status_code for r in responses), responses


class Tally:
    """The figures of one race: rounds, winners per round (rows, for the raise), status codes,
    5xx, rounds with exactly one event row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = time.monotonic()
        self.rounds = 0
        self.winners: Counter[int] = Counter()
        self.statuses: Counter[int] = Counter()
        self.events_per_round: Counter[int] = Counter()

    def add(self, statuses: Counter[int], winners: int, events: int) -> None:
        self.rounds += 1
        self.winners[winners] += 1
        self.statuses.update(statuses)
        self.events_per_round[events] += 1

    def record(self) -> dict[str, Any]:
        return record_figures(
            f"races-{self.name}", threads=THREADS, rounds=self.rounds,
            rounds_with_exactly_one_winner=self.winners[1],
            statuses={str(k): v for k, v in sorted(self.statuses.items())},
            server_errors=sum(v for k, v in self.statuses.items() if k >= 500),
            rounds_with_exactly_one_event=self.events_per_round[1],
            seconds=round(time.monotonic() - self.started, 1),
        )


def check_round(tally: Tally, statuses: Counter[int], *, win: int, lose: int, events: int,
                detail: str) -> None:
    tally.add(statuses, statuses[win], events)
    assert not [s for s in statuses if s >= 500], f"round {tally.rounds}: 5xx {statuses} {detail}"
    assert statuses == Counter({win: 1, lose: THREADS - 1}), f"round {tally.rounds}: {statuses}"
    assert events == 1, f"round {tally.rounds}: {events} events {detail}"


# --- people ---------------------------------------------------------------------------------



# --- the races --------------------------------------------------------------------------------


def test_triage_of_one_referral_has_exactly_one_winner(breast_surgeon, neurosurgeon, dave,
                                                       teams) -> None:
    clients = [_client(neurosurgeon if i % 2 else dave) for i in range(THREADS)]
    tally = Tally("triage")
    for _ in range(ROUNDS):
        case = create_case(actor=breast_surgeon, **teams)
        add_lesion(case, actor=breast_surgeon)
        referral = Referral.objects.get(case=case)
        referral_services.referral_acknowledge(referral=referral, actor=neurosurgeon)

        def triage(client: APIClient, i: int, pk: int = referral.pk) -> Any:
            # Half accept, half decline: the first decision wins, the rest see it taken.
            if i % 2:
                return client.post(f"/api/v1/referrals/{pk}/accept/", {}, format="json")
            return client.post(f"/api/v1/referrals/{pk}/decline/", {"reason": "not spinal"},
                               format="json")

        statuses, _ = race(clients, triage)
        events = ReferralEvent.objects.filter(referral=referral,
                                              action__in=["accept", "decline"]).count()
        check_round(tally, statuses, win=200, lose=409, events=events, detail=str(referral))
        referral.refresh_from_db()
        assert referral.status in ("accepted", "declined")
    tally.record()


def test_raising_a_referral_for_one_case_at_once_makes_one_row(breast_surgeon, neurosurgeon,
                                                              teams) -> None:
    clients = [_client(breast_surgeon) for _ in range(THREADS)]
    tally = Tally("raise")
    for _ in range(ROUNDS):
        case = create_case(actor=breast_surgeon, **teams)

        def flag(client: APIClient, i: int, pk: int = case.pk) -> Any:
            return client.post("/api/v1/referrals/", {
                "case": pk, "direction": "breast_to_neuro", "trigger_codes": ["back_pain"],
            }, format="json")

        statuses, responses = race(clients, flag)
        rows = Referral.objects.filter(case=case).count()
        raises = ReferralEvent.objects.filter(referral__case=case, action="raise").count()
        tally.add(statuses, rows, raises)
        assert not [s for s in statuses if s >= 500], f"5xx: {statuses}"
        # Every caller gets the one open referral (the later ones extend it with nothing new).
        assert statuses == Counter({201: THREADS}), statuses
        assert rows == 1 and raises == 1, (rows, raises)
        assert len({r.json()["id"] for r in responses}) == 1
    figures = tally.record()
    assert figures["rounds_with_exactly_one_event"] == ROUNDS


def _meeting(coordinator: User, chair: User, attendees: list[User], mdt_team: Team) -> Meeting:
    return meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=3), chair=chair,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2", attendees=attendees)


@pytest.fixture
def mdt_case(breast_surgeon: User, neurosurgeon: User, teams: dict[str, Team]) -> Case:
    from tests.factories import make_mdt_case

    return make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)


def test_locking_one_agenda_at_once_has_exactly_one_winner(coordinator, neurosurgeon,
                                                           breast_surgeon, oncologist,
                                                           mdt_team, mdt_case) -> None:
    meeting = _meeting(coordinator, neurosurgeon, [breast_surgeon, oncologist], mdt_team)
    meeting_services.agenda_item_add(meeting=meeting, case=mdt_case, actor=coordinator)
    # The coordinator and the chair both run the meeting: both press "lock".
    clients = [_client(coordinator if i % 2 else neurosurgeon) for i in range(THREADS)]
    tally = Tally("lock")
    for _ in range(ROUNDS):
        before = MeetingEvent.objects.filter(meeting=meeting, action="lock").count()
        statuses, _ = race(clients, lambda client, i: client.post(
            f"/api/v1/meetings/{meeting.pk}/lock/", {}, format="json"))
        events = MeetingEvent.objects.filter(meeting=meeting, action="lock").count() - before
        check_round(tally, statuses, win=200, lose=409, events=events, detail=str(meeting))
        meeting_services.meeting_reopen(meeting=meeting, actor=coordinator, reason="next round")
    tally.record()


def test_finalizing_one_meeting_at_once_has_exactly_one_winner(coordinator, neurosurgeon,
                                                               breast_surgeon, oncologist,
                                                               mdt_team, mdt_case) -> None:
    clients = [_client(coordinator if i % 2 else neurosurgeon) for i in range(THREADS)]
    tally = Tally("finalize")
    for _ in range(ROUNDS):
        meeting = _meeting(coordinator, neurosurgeon, [breast_surgeon, oncologist], mdt_team)
        item = meeting_services.agenda_item_add(meeting=meeting, case=mdt_case,
                                                actor=coordinator)
        meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
        meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
        for attendance in meeting.attendances.all():
            meeting_services.attendance_record(meeting=meeting, user_id=attendance.user_id,
                                               present=True, actor=coordinator)
        item = AgendaItem.objects.get(pk=item.pk)
        meeting_services.decision_record(
            item=item, actor=coordinator, pathway="cebrt", rationale="race round",
            responsible=neurosurgeon, override_reason="race round")
        statuses, _ = race(clients, lambda client, i, pk=meeting.pk: client.post(
            f"/api/v1/meetings/{pk}/finalize/", {}, format="json"))
        events = MeetingEvent.objects.filter(meeting=meeting, action="finalize").count()
        check_round(tally, statuses, win=200, lose=409, events=events, detail=str(meeting))
        meeting.refresh_from_db()
        assert meeting.status == "finalized"
    tally.record()


def test_two_clinicians_editing_one_case_lose_no_update(breast_surgeon, neurosurgeon,
                                                       teams) -> None:
    case = create_case(actor=breast_surgeon, **teams)
    # Two clinicians of the care team, ten browser tabs each, all holding the same version.
    clients = [_client(breast_surgeon if i % 2 else neurosurgeon) for i in range(THREADS)]
    tally = Tally("case-edit")
    for _ in range(ROUNDS):
        case.refresh_from_db()
        version = case.version
        before = case.history.count()  # type: ignore[attr-defined]

        def edit(client: APIClient, i: int, pk: int = case.pk, v: int = version) -> Any:
            return client.patch(f"/api/v1/cases/{pk}/", {"ki67": float(10 + i)}, format="json",
                                HTTP_IF_MATCH=f'"{v}"')

        statuses, responses = race(clients, edit)
        case.refresh_from_db()
        writes = case.history.count() - before  # type: ignore[attr-defined]
        check_round(tally, statuses, win=200, lose=409, events=writes, detail=f"case {case.pk}")
        winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
        # No lost update: the stored value is the winner's, at the next version.
        assert case.version == version + 1
        assert case.ki67 == float(10 + winner)
        for response in responses:
            if response.status_code == 409:
                assert response.json()["current_version"] == version + 1
    tally.record()


def test_eight_identical_lesion_posts_at_once_create_one_and_never_a_500(
        breast_surgeon, teams) -> None:
    """A double (or eightfold) submit of the same lesion: one 201; the others 409 naming the
    lesion that holds the label (a lost race at the unique constraint) or, arriving after the
    winner committed, 400 naming the label. Never a 500; one row."""
    from django.urls import reverse

    from cases.models import SpinalLesion
    from tests.factories import STUDY

    body = {**{k: str(v) for k, v in STUDY.items()}, "levels": ["T7"]}
    clients = [_client(breast_surgeon) for _ in range(8)]
    rounds = max(ROUNDS // 5, 5)
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for number in range(rounds):
        case = create_case(actor=breast_surgeon, **teams)
        url = reverse("api-case-lesions", args=[case.pk])
        counts, responses = race(clients, lambda client, _, url=url: client.post(
            url, body, format="json"))
        statuses.update(counts)
        assert not [s for s in counts if s >= 500], f"round {number}: {counts}"
        assert counts[201] == 1 and counts[201] + counts[409] + counts[400] == 8, counts
        winner = next(r for r in responses if r.status_code == 201).json()["id"]
        for response in responses:
            if response.status_code == 409:
                assert response.json()["lesion"] == winner
            elif response.status_code == 400:
                assert set(response.json()) == {"label"}
        assert SpinalLesion.objects.filter(case=case).count() == 1
    record_figures("races-identical-lesion-posts", threads=8, rounds=rounds,
                   statuses={str(k): v for k, v in sorted(statuses.items())},
                   server_errors=sum(v for k, v in statuses.items() if k >= 500),
                   seconds=round(time.monotonic() - started, 1))
