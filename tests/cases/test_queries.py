"""Case lists run a constant number of SQL queries, whatever the number of cases; the case
endpoint and page, whatever the number of its lesions, studies, stays and visits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from tests.factories import add_lesion, create_case, on_its_day

pytestmark = pytest.mark.django_db

#: The same ceiling at 5 and at 50 cases. Measured after one warm-up request (per-process caches
#: such as guardian's content types filled, as in a running server): page 12 (session, user,
#: count, cases, ticks, audit row and its chain head (locked, then moved: the keyed chain's MAC is
#: computed in Python between the two), session save...), endpoint 5 (count,
#: cases with joins, ticks prefetch, audit row and its chain head).
#: Issue 22: a read's audit row is one INSERT (linked to the keyed chain out of the request,
#: cases.models.audit.chain_pending), and with REDIS_URL the session costs no query (four
#: without it: read, and the save in its savepoint). The ceilings are the counts without Redis.
#: Issue 22, session 8: the pages no longer ask for the bell (-1: the page asks for it once
#: shown), and the access rule reads the person's granting rows in one query of its own and
#: names their ids (+1 on every list that uses it).
PAGE_MAX_QUERIES = 10
API_MAX_QUERIES = 4


def make_cases(n: int, actor, breast_team, spine_team, mdt_team) -> None:
    for i in range(n):
        case = create_case(actor=actor, breast_team=breast_team, spine_team=spine_team,
                           mdt_team=mdt_team)
        if i % 2 == 0:  # half scored, with a ticked duty: every column has data to fetch
            add_lesion(case, actor=actor)
            services.assessment_create(case=case, actor=actor)
            services.duty_tick(case=case, event=case.current_event, duty_code="staging_workup",
                               actor=actor)


@pytest.mark.parametrize("n", [5, 50])
def test_case_list_page_queries_do_not_grow_with_cases(
    n, client, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(breast_surgeon)
    client.get(reverse("cases:case-list"))  # warm-up
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        response = client.get(reverse("cases:case-list"))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_case_list_endpoint_queries_do_not_grow_with_cases(
    n, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    api.get(reverse("api-cases"))  # warm-up
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api.get(reverse("api-cases"))
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_coordinators_list_is_constant_too(
    n, breast_surgeon, coordinator, breast_team, spine_team, mdt_team,
    django_assert_max_num_queries,
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    api = APIClient()
    api.force_authenticate(coordinator)
    api.get(reverse("api-cases"))  # warm-up
    with django_assert_max_num_queries(API_MAX_QUERIES):
        response = api.get(reverse("api-cases"))
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_breast_home_page_with_its_case_list_is_constant(
    n, client, breast_surgeon, breast_team, spine_team, mdt_team, django_assert_max_num_queries
) -> None:
    make_cases(n, breast_surgeon, breast_team, spine_team, mdt_team)
    client.force_login(breast_surgeon)
    client.get(reverse("home-breast"))  # warm-up
    # The case table plus the outgoing-referral table (a second audit row, so a second chain
    # head locked and moved), the fired-but-unreferred triggers (3: cases, the triggers of their
    # referrals, their MDT decisions) and the coming agenda items (1): constant, whatever the
    # number of rows; "My tasks" (2: its counts and its first tasks).
    with django_assert_max_num_queries(PAGE_MAX_QUERIES + 14):
        response = client.get(reverse("home-breast"))
    assert response.status_code == 200


# --- one case: the detail endpoint, the case page, the timeline endpoint -------------------------

#: Measured on PostgreSQL after a warm-up request, the same with 1 and with 3 of every child.
#: Endpoint 8: the visible case with its joins, the audit row and its chain head (2), lesions,
#: their studies, open referrals with their triggers (one query), agenda items (next meeting and
#: decisions, with their meetings and decisions joined), oncologists. Page 21: those (the
#: recorders' names joined) plus phase stays, their ticks, assessments, follow-up visits, and
#: what every page and the session cost (session, user, change permission (2), session save
#: (3)), and
#: every referral of the case with its triggers and its history (3: referrals, triggers, events
#: with their actors; the endpoint does not read them), and systemic therapy (4: episodes, their
#: holds, laboratory values, radiotherapy plans; CLINICAL.md §16).
#: Timeline endpoint 6: the case, the audit row and its chain head (locked, then moved), phase
#: stays, their ticks. Each ceiling counts the two queries of the keyed chain's head.
#: Issue 22: a read's audit row is one INSERT (linked to the keyed chain out of the request,
#: cases.models.audit.chain_pending), and with REDIS_URL the session costs no query (four
#: without it: read, and the save in its savepoint). The ceilings are the counts without Redis.
DETAIL_API_MAX_QUERIES = 8
DETAIL_PAGE_MAX_QUERIES = 26  # + therapy episodes, holds, labs, plans, tasks (issues 18, 19)
TIMELINE_API_MAX_QUERIES = 5

STUDY = {"pain": "none", "bone_lesion": "blastic", "alignment": "normal", "collapse": "none",
         "posterolateral": "none", "bilsky": "0"}


def make_full_case(n: int, *, breast_surgeon, neurosurgeon, coordinator, breast_team, spine_team,
                   mdt_team):
    """A case with ``n`` of every child the case page shows: lesions with ``n`` studies each,
    assessments, phase stays with a ticked duty each, follow-up visits (recorded by both
    surgeons in turn), its open referral with its trigger, and a decided item of the MDT meeting
    in session."""
    from cases import timeline
    from meetings import services as meeting_services
    from meetings.models import AgendaItem
    from tests.factories import make_mdt_case

    people = [breast_surgeon, neurosurgeon]
    teams = {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         vertebral_metastases=4)
    lesions = [case.lesions.get()]
    for i, level in enumerate(["T9", "L2"][: n - 1]):
        lesions.append(services.lesion_create(case=case, actor=people[i % 2], levels=[level],
                                              imaging_date=dt.date(2026, 1, 2), **STUDY))
    for lesion in lesions:
        for i in range(len(lesion.imagings.all()), n):
            services.lesion_imaging_add(lesion=lesion, actor=people[i % 2],
                                        imaging_date=dt.date(2026, 2, 1) + dt.timedelta(days=i),
                                        **STUDY)
    for i in range(n - 1):
        services.assessment_create(case=case, actor=people[i % 2])
    phases = [timeline.Phase.SPINE_METASTASIS_DETECTION, timeline.Phase.MDT_TUMOR_BOARD]
    for i in range(n):
        if i:
            services.case_transition(case=case, to_phase=phases[i - 1], reason="next",
                                     actor=breast_surgeon)
        case.refresh_from_db()
        duty = timeline.duties(case.phase)[0]
        actor = breast_surgeon if duty.specialty == breast_surgeon.role else neurosurgeon
        services.duty_tick(case=case, event=case.current_event, duty_code=duty.code, actor=actor)
        services.followup_create(case=case, actor=people[i % 2], visit_date=dt.date(2026, 3, 1)
                                 + dt.timedelta(days=30 * i), frankel="D", kps=70, pain_nrs=3,
                                 ambulation="with_aid")
    meeting = meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=3), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2")
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    meeting_services.decision_record(
        item=AgendaItem.objects.get(meeting=meeting, case=case), actor=coordinator,
        pathway="cebrt", rationale="Low grade.", responsible=neurosurgeon, urgency="green",
        override_reason="board preference")
    case.refresh_from_db()
    assert case.lesions.count() == n and case.phase_events.count() == n
    assert case.followups.count() == n
    # Every clinical write stored a new current assessment: more rows as n grows.
    assert case.assessments.count() >= n
    return case


@pytest.fixture
def full_case(breast_surgeon, neurosurgeon, coordinator, breast_team, spine_team, mdt_team):
    def make(n: int):
        return make_full_case(n, breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                              coordinator=coordinator, breast_team=breast_team,
                              spine_team=spine_team, mdt_team=mdt_team)
    return make


@pytest.mark.parametrize("n", [1, 3])
def test_case_detail_endpoint_queries_do_not_grow_with_children(
    n, full_case, breast_surgeon, django_assert_max_num_queries
) -> None:
    case = full_case(n)
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case", args=[case.pk])
    api.get(url)  # warm-up
    with django_assert_max_num_queries(DETAIL_API_MAX_QUERIES):
        body = api.get(url).json()
    assert len(body["lesions"]) == n
    assert [len(lesion["imagings"]) for lesion in body["lesions"]] == [n] * n
    assert body["open_referrals"] and body["next_meeting"] and body["last_decision"]


@pytest.mark.parametrize("n", [1, 3])
def test_case_page_queries_do_not_grow_with_children(
    n, full_case, client, breast_surgeon, neurosurgeon, django_assert_max_num_queries
) -> None:
    case = full_case(n)
    client.force_login(breast_surgeon)
    url = reverse("cases:case-detail", args=[case.pk])
    client.get(url)  # warm-up
    with django_assert_max_num_queries(DETAIL_PAGE_MAX_QUERIES):
        response = client.get(url)
    detail = response.context["detail"]
    assert len(detail.stays) == len(detail.followups) == n
    assert len(detail.assessments) == case.assessments.count() >= n
    assert len(detail.decisions) == 1 and detail.next_meeting is not None
    # The names the page shows came with their rows (recorders, actors, the responsible).
    assert neurosurgeon.display_name in response.content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_case_timeline_endpoint_queries_do_not_grow_with_stays(
    n, full_case, breast_surgeon, django_assert_max_num_queries
) -> None:
    case = full_case(n)
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case-timeline", args=[case.pk])
    api.get(url)  # warm-up
    with django_assert_max_num_queries(TIMELINE_API_MAX_QUERIES):
        stays = api.get(url).json()
    assert len(stays) == n
    assert all(any(item["done"] for item in stay["checklist"]) for stay in stays)


def test_the_endpoint_shows_the_same_as_the_page_would(full_case) -> None:
    """case_status (the endpoint) skips what only the page shows, never what the endpoint does."""
    from cases.selectors import case_detail, case_status
    from cases.serializers import CaseDetailSerializer

    case = full_case(3)
    assert (CaseDetailSerializer(case_status(case=case)).data
            == CaseDetailSerializer(case_detail(case=case)).data)


def test_case_meetings_gives_the_next_meeting_and_the_decisions_in_one_query(
    full_case, breast_surgeon, coordinator, neurosurgeon, mdt_team, django_assert_num_queries
) -> None:
    """A finalized meeting with its decision, then a planned meeting holding the case undecided:
    one query gives the next meeting (the open one) and the decisions, newest first."""
    from meetings import services as meeting_services
    from meetings.models import Decision, Meeting
    from meetings.selectors import case_meetings

    case = full_case(1)
    decided = Meeting.objects.get()
    meeting_services.meeting_finalize(meeting=decided, actor=neurosurgeon,
                                      quorum_override_reason="test: the chair decides")
    planned = meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=10), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2")
    meeting_services.agenda_item_add(meeting=planned, case=case, actor=breast_surgeon)
    with django_assert_num_queries(1):  # the undecided item's missing decision is no query
        next_meeting, decisions = case_meetings(case_id=case.pk)
    item = planned.items.get(case=case)
    assert next_meeting == {"id": planned.pk, "starts_at": planned.starts_at.isoformat(),
                            "status": planned.status, "position": item.position}
    assert decisions == list(Decision.objects.filter(item__case=case)
                             .order_by("-decided_at", "-pk"))
    assert [decision.item.meeting_id for decision in decisions] == [decided.pk]
