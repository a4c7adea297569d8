"""The acute-deficit onset and clock, CLINICAL.md §9a (S2 §3.2: the six-hour window)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases.deficit import clock_words, deficit_clock, onset_errors
from cases.forms import CaseForm
from tests.factories import create_case

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 4, 23, 0, tzinfo=LONDON)


class _Case:
    def __init__(self, frankel="C", deficit=None, onset=None):
        self.frankel, self.neurological_deficit, self.deficit_onset_at = frankel, deficit, onset


@pytest.mark.parametrize(("values", "expected"), [
    ({"frankel": "E"}, {}),
    ({"frankel": "D"}, {"deficit_onset_at": "a neurological deficit is recorded: give the date "
                                            "and hour it began, or tick “Deficit onset unknown”"}),
    ({"frankel": "E", "neurological_deficit": True}, {"deficit_onset_at": "a neurological "
     "deficit is recorded: give the date and hour it began, or tick “Deficit onset unknown”"}),
    ({"frankel": "C", "deficit_onset_unknown": True}, {}),
    ({"frankel": "C", "deficit_onset_at": NOW - dt.timedelta(hours=2)}, {}),
    ({"frankel": "C", "deficit_onset_at": NOW + dt.timedelta(minutes=1)},
     {"deficit_onset_at": "cannot be in the future"}),
    ({"frankel": "C", "deficit_onset_at": NOW, "deficit_onset_unknown": True},
     {"deficit_onset_at": "give either the date and hour or “Deficit onset unknown”, not both"}),
])
def test_the_onset_rule(values, expected) -> None:
    assert onset_errors(values, now=NOW) == expected


def test_the_clock_shows_under_48_hours_in_plain_words_in_the_viewers_zone() -> None:
    onset = NOW - dt.timedelta(hours=3, minutes=20)  # 19:40 London
    with timezone.override(LONDON):
        clock = deficit_clock(_Case(onset=onset), now=NOW)
        assert clock_words(clock, now=NOW) == ("weakness began 3 h 20 min ago; the 6-hour mark "
                                               "is at Sat 5 Dec 01:40")
    with timezone.override(ZoneInfo("America/New_York")):  # 18:00 there: the mark is 20:40
        assert clock_words(clock, now=NOW) == ("weakness began 3 h 20 min ago; the 6-hour mark "
                                               "is at 20:40")
    later = NOW + dt.timedelta(hours=4)
    with timezone.override(LONDON):
        assert clock_words(deficit_clock(_Case(onset=onset), now=later), now=later) == (
            "weakness began 7 h 20 min ago; the 6-hour mark passed at 01:40")
    assert deficit_clock(_Case(onset=NOW - dt.timedelta(hours=47, minutes=59)), now=NOW)
    assert deficit_clock(_Case(onset=NOW - dt.timedelta(hours=48)), now=NOW) is None
    assert deficit_clock(_Case(frankel="E", onset=onset), now=NOW) is None  # no deficit now
    assert deficit_clock(_Case(onset=None), now=NOW) is None  # onset unknown


@pytest.mark.django_db
def test_the_case_form_names_the_onset_field(breast_surgeon, breast_team) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team)
    data = {"version": case.version, "primary_status": "known_breast", "frankel": "C",
            "breast_team": breast_team.pk}
    form = CaseForm(data=data, instance=case, creating=False)
    assert not form.is_valid()
    assert form.errors["deficit_onset_at"] == [
        "a neurological deficit is recorded: give the date and hour it began, or tick "
        "“Deficit onset unknown”"]
    assert form["deficit_onset_at"].label == "Deficit onset"
    form = CaseForm(data={**data, "deficit_onset_unknown": "on"}, instance=case, creating=False)
    assert "deficit_onset_at" not in form.errors


@pytest.mark.django_db
def test_the_api_refuses_a_deficit_without_onset_and_a_future_onset(
    api_client, breast_surgeon, breast_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team)
    api_client.force_authenticate(breast_surgeon)
    client = api_client
    url = f"/api/v1/cases/{case.pk}/"
    answer = client.patch(url, {"version": case.version, "frankel": "C"}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["deficit_onset_at"]
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    answer = client.patch(url, {"version": case.version, "frankel": "C",
                                "deficit_onset_at": future}, format="json")
    assert answer.status_code == 400
    assert answer.json()["deficit_onset_at"] == ["cannot be in the future"]
    case.refresh_from_db()
    assert case.frankel == "E"  # nothing changed
    onset = timezone.now() - dt.timedelta(hours=1)
    answer = client.patch(url, {"version": case.version, "frankel": "C",
                                "deficit_onset_at": onset.isoformat()}, format="json")
    assert answer.status_code == 200, answer.json()
    case.refresh_from_db()
    assert case.deficit_onset_at == onset
    # A later change that leaves the deficit as it is needs no onset again.
    answer = client.patch(url, {"version": case.version, "kps": 70}, format="json")
    assert answer.status_code == 200, answer.json()


@pytest.mark.django_db
def test_the_pages_show_the_clock(client, breast_surgeon, breast_team) -> None:
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        case = create_case(actor=breast_surgeon, breast_team=breast_team, frankel="C",
                           deficit_onset_at=NOW - dt.timedelta(hours=3, minutes=20))
    with time_machine.travel(NOW, tick=False):
        client.force_login(breast_surgeon)
        answer = client.get(f"/cases/{case.pk}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "weakness began 3 h 20 min ago; the 6-hour mark is at" in page
