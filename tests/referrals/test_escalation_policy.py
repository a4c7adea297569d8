"""Escalation by urgency, service policy v2 (CLINICAL.md §9a): red 30 and 60 min, orange 4 and
8 h, green 24 and 48 h after sending; acknowledging stops it; a rise of urgency re-times it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from referrals import services
from referrals.models import Alert, Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db


def test_the_escalation_table_is_policy_v2() -> None:
    from scoring.calculators import (
        ESCALATION_MINUTES,
        ESCALATION_POLICY_VERSION,
        ESCALATION_REFERENCE,
        Urgency,
    )

    assert ESCALATION_POLICY_VERSION == "v2"
    assert ESCALATION_REFERENCE == "CLINICAL.md §9a (service policy v2)"
    assert dict(ESCALATION_MINUTES) == {Urgency.RED: (30, 60), Urgency.ORANGE: (240, 480),
                                        Urgency.GREEN: (1440, 2880)}


def test_the_clock_divisor_shortens_every_colour_alike_and_is_1_in_service(settings) -> None:
    assert settings.REFERRAL_ESCALATION_CLOCK_DIVISOR == 1
    assert services.escalation_minutes("red") == (30, 60)
    assert services.escalation_minutes("") == (1440, 2880)  # no urgency: green's
    settings.REFERRAL_ESCALATION_CLOCK_DIVISOR = 1440  # as the reliability soak's workers run
    assert services.escalation_minutes("green") == (1, 2)
    assert services.escalation_minutes("orange") == (1 / 6, 1 / 3)


def _make(breast_surgeon, teams, *, study=None, **fields) -> Referral:
    case = create_case(actor=breast_surgeon, **teams, **fields)
    add_lesion(case, actor=breast_surgeon, **(study or {}))
    return Referral.objects.get(case=case, direction="breast_to_neuro")


@pytest.fixture
def staff(breast_surgeon, neurosurgeon, dave, erin, coordinator, teams):
    return teams


def _kinds(referral: Referral) -> list[str]:
    return sorted(Alert.objects.filter(referral=referral, kind__startswith="escalation")
                  .values_list("kind", "recipient__username"))


@pytest.mark.parametrize(("fields", "study", "level", "step_1", "step_2"), [
    ({"frankel": "C"}, None, "red", dt.timedelta(minutes=30), dt.timedelta(minutes=60)),
    ({}, {"bilsky": "2"}, "orange", dt.timedelta(hours=4), dt.timedelta(hours=8)),
    ({}, None, "green", dt.timedelta(hours=24), dt.timedelta(hours=48)),
])
def test_each_colour_escalates_at_its_two_boundaries_and_not_a_minute_before(
    breast_surgeon, staff, fields, study, level, step_1, step_2
) -> None:
    referral = _make(breast_surgeon, staff, study=study, **fields)
    assert referral.urgency == level
    start = referral.sent_at
    minute = dt.timedelta(minutes=1)
    with time_machine.travel(start + step_1 - minute, tick=False):  # red: 29 min
        assert services.escalate_due() == 0
    with time_machine.travel(start + step_1, tick=False):  # red: 30 min
        assert services.escalate_due() == 1
    assert _kinds(referral) == [("escalation_team", "erin")]
    with time_machine.travel(start + step_2 - minute, tick=False):  # red: 59 min
        assert services.escalate_due() == 0
    with time_machine.travel(start + step_2, tick=False):  # red: 60 min
        assert services.escalate_due() == 1
        assert services.escalate_due() == 0
    assert _kinds(referral) == [("escalation_lead", "bob"), ("escalation_lead", "carol"),
                                ("escalation_team", "erin")]


def test_a_late_beat_still_times_step_2_from_sending(breast_surgeon, staff) -> None:
    """The beat that takes step 1 runs late (a worker was down): step 2 stays at 60 min."""
    referral = _make(breast_surgeon, staff, frankel="C")
    start = referral.sent_at
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert services.escalate_due() == 1
    referral.refresh_from_db()
    assert referral.escalation_due_at == start + dt.timedelta(minutes=60)


def test_acknowledging_stops_the_escalation(breast_surgeon, staff, dave) -> None:
    referral = _make(breast_surgeon, staff, frankel="C")
    with time_machine.travel(referral.sent_at + dt.timedelta(minutes=10), tick=False):
        services.referral_acknowledge(referral=referral, actor=dave)
    with time_machine.travel(referral.sent_at + dt.timedelta(days=3), tick=False):
        assert services.escalate_due() == 0
    assert _kinds(referral) == []


def test_a_referral_whose_urgency_rises_is_retimed_from_the_moment_it_rose(
    breast_surgeon, staff
) -> None:
    referral = _make(breast_surgeon, staff)
    assert referral.urgency == "green"
    start = referral.sent_at
    risen = start + dt.timedelta(hours=2)
    with time_machine.travel(risen, tick=False):
        case = referral.case
        case.refresh_from_db()
        services.referral_flag(case=case, codes=["neurological_deficit"], actor=breast_surgeon)
    referral.refresh_from_db()
    assert referral.urgency == "red"
    assert referral.escalation_due_at == risen + dt.timedelta(minutes=30)
    with time_machine.travel(risen + dt.timedelta(minutes=29), tick=False):
        assert services.escalate_due() == 0
    with time_machine.travel(risen + dt.timedelta(minutes=30), tick=False):
        assert services.escalate_due() == 1
    referral.refresh_from_db()
    assert referral.escalation_due_at == risen + dt.timedelta(minutes=60)
