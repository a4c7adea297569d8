"""CLINICAL.md §14 quality measures per month, on a constructed dataset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import PhaseEvent
from meetings import metrics, services
from meetings.models import AgendaItem, Decision, Meeting
from referrals.models import Referral
from tests.factories import on_its_day
from tests.meetings.conftest import mark_all_present

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def decided(meeting, coordinator, neurosurgeon, mdt_case):
    """One case referred at T0, triaged 10 h later, decided at a quorate MDT 3 days later
    (Bilsky 2 on the agenda), operated 2 days after that, decision carried out on day 10."""
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    mark_all_present(meeting, coordinator)
    item = AgendaItem.objects.get(meeting=meeting)
    decision = services.decision_record(item=item, actor=coordinator, pathway="cebrt",
                                        rationale="ok", responsible=neurosurgeon)
    services.meeting_finalize(meeting=meeting, actor=coordinator)
    decided_at = T0 + dt.timedelta(days=3)
    Referral.objects.filter(case=mdt_case).update(created_at=T0,
                                                  decided_at=T0 + dt.timedelta(hours=10))
    AgendaItem.objects.filter(pk=item.pk).update(max_bilsky="2")
    Decision.objects.filter(pk=decision.pk).update(
        decided_at=decided_at, carried_out=True,
        carried_out_at=(decided_at + dt.timedelta(days=10)).date())
    Meeting.objects.filter(pk=meeting.pk).update(finalized_at=decided_at)
    PhaseEvent.objects.create(case=mdt_case, from_phase="pre_operative", to_phase="surgery",
                              actor=neurosurgeon, at=decided_at + dt.timedelta(days=2),
                              reason="theatre", timeline_version="test")
    return mdt_case


def test_the_measures_of_a_month_are_computed_from_the_events(decided, coordinator) -> None:
    rows = metrics.monthly_measures(user=coordinator)
    assert rows == [{
        "month": "2026-03",
        "median_hours_referral_to_triage": 10.0,
        "median_days_referral_to_decision": 3.0,
        "median_days_decision_to_surgery": 2.0,
        "median_hours_cord_compression_to_plan": 72.0,
        "share_discussed_before_treatment": 1.0,
        "share_carried_out_30_days": 1.0,
        "share_carried_out_90_days": 1.0,
        "share_meetings_with_quorum": 1.0,
        # followthrough's measures: its tasks fall due long after these windows.
        "share_tasks_done_30_days": None,
        "share_tasks_done_90_days": None,
    }]


def test_the_measures_cover_only_what_the_requester_sees(decided, outsider, api_client,
                                                         client) -> None:
    api_client.force_authenticate(outsider)
    assert api_client.get(reverse("api-metrics")).json() == []
    client.force_login(outsider)
    assert client.get(reverse("meetings:metrics")).context["rows"] == []


def test_the_metrics_page_and_endpoint_show_the_month(decided, coordinator, api_client,
                                                      client) -> None:
    api_client.force_authenticate(coordinator)
    assert api_client.get(reverse("api-metrics")).json()[0]["month"] == "2026-03"
    client.force_login(coordinator)
    assert b"2026-03" in client.get(reverse("meetings:metrics")).content
