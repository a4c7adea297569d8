"""The meeting page and endpoint run a constant number of SQL queries, whatever the number of
agenda items (measured after a warm-up request, as in tests/cases and tests/referrals)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import LabValue, SystemicTherapyEpisode, TherapyHold
from meetings import services
from tests.factories import make_mdt_case, on_its_day

pytestmark = pytest.mark.django_db

#: The same ceiling at 5 and 50 items. Measured on SQLite after the warm-up: meeting page 11
#: (session, user, meeting, items with their case, patient, assessment and decision in one join,
#: attendance, packets, audit row...), in-session page 12 (+ the people list), endpoint 4,
#: metrics 4. Plus one COUNT of the agenda for the items a person may not see (issue 15: a page
#: never hides agenda items silently), and one more since the audit chain is keyed: its head is
#: locked, then moved (the MAC is computed in Python between the two).
#: Issue 22: a read's audit row is one INSERT (linked to the keyed chain out of the request,
#: cases.models.audit.chain_pending), and with REDIS_URL the session costs no query (four
#: without it: read, and the save in its savepoint). The ceilings are the counts without Redis.
#: Issue 22, session 8: the pages no longer ask for the bell (-1: the page asks for it once
#: shown), and the access rule reads the person's granting rows in one query of its own and
#: names their ids (+1 on every list that uses it).
#: Completeness v2 reads the cases' CDK4/6 inhibitor episodes, their holds and their ANC values
#: (+3, each case below has an episode with a hold and a value).
PAGE_MAX_QUERIES = 17  # issue 18: + the completeness imaging, + the opinions
API_MAX_QUERIES = 6


def _meeting_with(n, meeting, coordinator, breast_surgeon, neurosurgeon, teams):
    for _ in range(n):
        case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams)
        episode = SystemicTherapyEpisode.objects.create(
            case=case, therapy_class="cdk46_inhibitor", drug="ribociclib",
            started_on=dt.date(2026, 1, 5), recorded_by=breast_surgeon)
        TherapyHold.objects.create(episode=episode, held_from=dt.date(2026, 2, 1),
                                   reason="neutropenia", recorded_by=breast_surgeon)
        LabValue.objects.create(case=case, kind="anc", value=1900, taken_on=dt.date(2026, 2, 2),
                                recorded_by=breast_surgeon)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    for item in meeting.items.all():
        services.decision_record(item=item, actor=coordinator, pathway="cebrt", rationale="ok",
                                 responsible=neurosurgeon)


@pytest.mark.parametrize("n", [5, 50])
def test_the_meeting_page_is_constant(n, meeting, coordinator, breast_surgeon, neurosurgeon,
                                      teams, client, django_assert_max_num_queries) -> None:
    _meeting_with(n, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    client.force_login(coordinator)
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    client.get(url)  # warm-up
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        response = client.get(url)
    assert len(response.context["items"]) == n
    session = reverse("meetings:meeting-session", args=[meeting.pk])
    client.get(session)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES + 1):
        assert client.get(session).status_code == 200


@pytest.mark.parametrize("n", [5, 50])
def test_the_meeting_endpoint_is_constant(n, meeting, coordinator, breast_surgeon, neurosurgeon,
                                          teams, api_client,
                                          django_assert_max_num_queries) -> None:
    _meeting_with(n, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    api_client.force_authenticate(coordinator)
    url = reverse("api-meeting", args=[meeting.pk])
    api_client.get(url)
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api_client.get(url)
    assert len(response.json()["agenda"]) == n
    metrics_url = reverse("api-metrics")
    api_client.get(metrics_url)
    with django_assert_max_num_queries(6):  # + the follow-through shares (issue 18)
        assert api_client.get(metrics_url).status_code == 200
