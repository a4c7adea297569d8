"""The weekend watch, CLINICAL.md §9b, on a moved clock: Friday 12:00 service time (and 12:00 the
day before a listed public holiday) each MDT coordinator gets the open referrals due, or
escalating, before the next working day; orange ones also go to the receiving team's lead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from referrals import alerts, tasks
from referrals.models import Alert, Referral
from referrals.weekend_watch import is_watch_day, next_working_day, weekend_watch
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 2026-12-03 is a Thursday, 2026-12-04 a Friday, 2026-12-07 a Monday.
THURSDAY_NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=LONDON)
FRIDAY_NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _service_zone(settings) -> None:
    settings.TIME_ZONE = "Europe/London"
    settings.PUBLIC_HOLIDAYS = ()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_watch_days_and_the_next_working_day() -> None:
    christmas = (dt.date(2026, 12, 25),)
    assert not is_watch_day(dt.date(2026, 12, 3), ())
    assert is_watch_day(dt.date(2026, 12, 4), ())
    assert is_watch_day(dt.date(2026, 12, 24), christmas)  # a Thursday, the eve of a holiday
    assert next_working_day(dt.date(2026, 12, 4), ()) == dt.date(2026, 12, 7)
    assert next_working_day(dt.date(2026, 12, 24), christmas) == dt.date(2026, 12, 28)


def _referral(breast_surgeon, teams, at: dt.datetime, **study) -> Referral:
    with time_machine.travel(at, tick=False):
        case = create_case(actor=breast_surgeon, **teams)
        add_lesion(case, actor=breast_surgeon, **study)
    return Referral.objects.get(case=case, direction="breast_to_neuro")


@pytest.fixture
def staff(breast_surgeon, neurosurgeon, dave, erin, coordinator, teams):
    return teams


def _listed() -> set[tuple[int, str]]:
    return set(Alert.objects.filter(kind="weekend_watch")
               .values_list("referral_id", "recipient__username"))


def test_thursday_nothing_friday_noon_the_list_and_a_second_run_adds_nothing(
    breast_surgeon, staff
) -> None:
    # Orange (Bilsky 2, luminal): due Saturday 10:00, and its escalation steps come earlier.
    orange = _referral(breast_surgeon, staff, FRIDAY_NOON - dt.timedelta(hours=50), bilsky="2")
    # Green, sent Friday 09:00: its step 1 (24 h) is Saturday 09:00, before Monday.
    green = _referral(breast_surgeon, staff, FRIDAY_NOON - dt.timedelta(hours=3))
    assert (orange.urgency, green.urgency) == ("orange", "green")
    with time_machine.travel(THURSDAY_NOON, tick=False):
        assert weekend_watch() == 0
    with time_machine.travel(FRIDAY_NOON - dt.timedelta(minutes=1), tick=False):
        assert weekend_watch() == 0
    with time_machine.travel(FRIDAY_NOON, tick=False):
        assert tasks.weekend_watch() == 3
    assert _listed() == {(orange.pk, "carol"), (orange.pk, "bob"), (green.pk, "carol")}
    with time_machine.travel(FRIDAY_NOON + dt.timedelta(minutes=15), tick=False):
        assert weekend_watch() == 0  # the beat runs again: idempotent
    assert Alert.objects.filter(kind="weekend_watch").count() == 3
    for pk in Alert.objects.filter(kind="weekend_watch").values_list("pk", flat=True):
        alerts.alert_deliver(alert_id=pk)
    watch_mail = [m for m in mail.outbox if "Weekend watch" in m.subject]
    assert len(watch_mail) == 3
    patient = orange.case.patient
    for message in watch_mail:
        for secret in (patient.mrn, patient.family_name, patient.given_name):
            assert secret not in message.subject + message.body


def test_a_referral_due_after_the_weekend_or_already_decided_is_not_listed(
    breast_surgeon, staff, dave
) -> None:
    from referrals import services

    # Green sent Friday 11:00: its step 1 would be Saturday 11:00, but it was acknowledged (no
    # escalation) and is due next Friday. Orange, accepted: no longer awaiting triage.
    acknowledged = _referral(breast_surgeon, staff, FRIDAY_NOON - dt.timedelta(hours=1))
    with time_machine.travel(FRIDAY_NOON - dt.timedelta(minutes=30), tick=False):
        services.referral_acknowledge(referral=acknowledged, actor=dave)
    accepted = _referral(breast_surgeon, staff, FRIDAY_NOON - dt.timedelta(hours=60),
                         bilsky="2")
    with time_machine.travel(FRIDAY_NOON - dt.timedelta(hours=59), tick=False):
        services.referral_acknowledge(referral=accepted, actor=dave)
        services.referral_accept(referral=accepted, actor=dave)
    with time_machine.travel(FRIDAY_NOON, tick=False):
        assert weekend_watch() == 0
    assert _listed() == set()


def test_the_eve_of_a_public_holiday_runs_the_watch_until_the_day_after(
    breast_surgeon, staff, settings
) -> None:
    settings.PUBLIC_HOLIDAYS = (dt.date(2026, 12, 25),)
    eve = dt.datetime(2026, 12, 24, 12, 0, tzinfo=LONDON)  # a Thursday
    # Green due Sunday 27th: before Monday 28th 08:00, the next working day.
    late = _referral(breast_surgeon, staff, eve - dt.timedelta(days=4, hours=12))
    assert late.due_at == eve + dt.timedelta(days=2, hours=12)
    with time_machine.travel(eve - dt.timedelta(days=1), tick=False):
        assert weekend_watch() == 0  # Wednesday
    with time_machine.travel(eve, tick=False):
        assert weekend_watch() == 1
    assert _listed() == {(late.pk, "carol")}
