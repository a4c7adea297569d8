"""Meeting mode (issue 18): one page walks the agenda one case at a time, the presentation beside
the decision form, attendance on the same page; a constant number of queries whatever the
agenda's length; two coordinators and the chair at once lose no update."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Attendance, Decision
from tests.factories import PatientFactory, make_mdt_case, on_its_day
from tumorboard.labels import label

pytestmark = pytest.mark.django_db

#: Measured after a warm-up: session, user, meeting, the strip of visible items (one narrow
#: query) and the whole row of the item shown, the hidden COUNT, attendance, the current case's
#: detail (lesions with studies and recorders, referrals, meetings part, stays, assessments,
#: follow-ups), its imaging for the completeness table, its opinions, the clinicians, the audit
#: row. The bell is asked for by the page once shown (its own request).
#: Issue 22, session 8: the pages no longer ask for the bell (-1: the page asks for it once
#: shown), and the access rule reads the person's granting rows in one query of its own and
#: names their ids (+1 on every list that uses it); the item shown is read with its
#: assessment's result (-1: the lesions' scores read it afterwards in a query of its own).
LIVE_MAX_QUERIES = 30


def _agenda(n, meeting, coordinator, breast_surgeon, neurosurgeon, teams, names=None):
    for index in range(n):
        patient = PatientFactory(institution=breast_surgeon.institution,
                                 family_name=(names[index] if names else f"Patient{index:02d}"),
                                 mrn=f"LIVE{index:04d}")
        make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                      patient=patient)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_mode_runs_a_constant_number_of_queries(n, meeting, coordinator, breast_surgeon,
                                                        neurosurgeon, teams, client,
                                                        django_assert_max_num_queries) -> None:
    items = _agenda(n, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    services.decision_record(item=items[0], actor=coordinator, pathway="cebrt", rationale="ok",
                             responsible=neurosurgeon)
    client.force_login(coordinator)
    url = reverse("meetings:meeting-live", args=[meeting.pk]) + f"?item={items[1].pk}"
    client.get(url)  # warm-up
    with django_assert_max_num_queries(LIVE_MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f"2 of {n}" in response.content.decode()


def test_meeting_mode_walks_the_agenda_one_case_at_a_time(meeting, coordinator, breast_surgeon,
                                                          neurosurgeon, teams, client) -> None:
    items = _agenda(3, meeting, coordinator, breast_surgeon, neurosurgeon, teams,
                    names=["Ashby", "Brook", "Colley"])
    client.force_login(coordinator)
    url = reverse("meetings:meeting-live", args=[meeting.pk])
    first = client.get(url).content.decode()
    names = [item.case.patient.family_name for item in items]
    assert '<span id="live-position">1 of 3</span>' in first
    assert f"1. {names[0]}," in first  # the first case is presented
    assert 'data-nav="prev"' not in first
    following = re.search(r'href="\?item=(\d+)" data-nav="next"', first)
    assert following and int(following.group(1)) == items[1].pk
    middle = client.get(f"{url}?item={items[1].pk}").content.decode()
    assert "2 of 3" in middle and 'data-nav="prev"' in middle and 'data-nav="next"' in middle
    # The presentation: scores, NOMS, lesions, referral history, completeness, opinions, form.
    for needle in ("NOMS: the four questions", "Lesions and imaging", "Referral history",
                   "Ready for the board", "Preliminary opinions", "Subtype and receptors",
                   f'id="decide-{items[1].pk}"', "meeting_live.js"):
        assert needle in middle, needle
    last = client.get(f"{url}?item={items[2].pk}").content.decode()
    assert "3 of 3" in last and 'data-nav="next"' not in last


def test_attendance_and_decisions_from_meeting_mode_stay_in_meeting_mode(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams, client) -> None:
    items = _agenda(2, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    client.force_login(coordinator)
    live = reverse("meetings:meeting-live", args=[meeting.pk])
    back = f"{live}?item={items[1].pk}"
    answer = client.post(reverse("meetings:attendance", args=[meeting.pk, breast_surgeon.pk]),
                         {"present": "yes", "next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    assert Attendance.objects.get(meeting=meeting, user=breast_surgeon).present is True
    decide = reverse("meetings:item-decide", args=[meeting.pk, items[1].pk])
    prefix = f"item{items[1].pk}"
    refused = client.post(decide, {"view": "live", f"{prefix}-version": 0,
                                   f"{prefix}-pathway": "srs", f"{prefix}-rationale": "SRS.",
                                   f"{prefix}-responsible": neurosurgeon.pk})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="live-position"' in text and "Not recorded: the decision on item 2" in text
    done = client.post(decide, {"view": "live", f"{prefix}-version": 0,
                                f"{prefix}-pathway": "srs", f"{prefix}-rationale": "SRS.",
                                f"{prefix}-responsible": neurosurgeon.pk,
                                f"{prefix}-override_reason": "Oligometastatic."})
    assert done.status_code == 302 and done["Location"] == back


def test_two_coordinators_and_the_chair_at_once_lose_no_update(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams) -> None:
    items = _agenda(1, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    item = items[0]
    live = reverse("meetings:meeting-live", args=[meeting.pk])
    decide = reverse("meetings:item-decide", args=[meeting.pk, item.pk])
    chair = Client()
    chair.force_login(neurosurgeon)
    desk = Client()
    desk.force_login(coordinator)
    for browser in (chair, desk):
        assert f'name="item{item.pk}-version" value="0"' in browser.get(live).content.decode()
    prefix = f"item{item.pk}"
    body = {"view": "live", f"{prefix}-version": 0, f"{prefix}-responsible": neurosurgeon.pk}
    assert chair.post(decide, {**body, f"{prefix}-pathway": "cebrt",
                               f"{prefix}-rationale": "Chair: radiotherapy."}).status_code == 302
    lost = desk.post(decide, {**body, f"{prefix}-pathway": "cebrt",
                              f"{prefix}-rationale": "Desk: radiotherapy, 5 fractions."})
    assert lost.status_code == 409
    decision = Decision.objects.get(item=item)
    assert decision.rationale == "Chair: radiotherapy." and decision.version == 1
    assert "Chair: radiotherapy." in lost.content.decode()


def test_before_the_lock_the_recommendation_is_pending_not_unscorable(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams, client) -> None:
    """A planned meeting's item has no snapshot yet: the page beside the case's scores says the
    recommendation comes at the lock, never that the case cannot be scored; once locked it
    shows the pathway the snapshot holds."""
    make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    client.force_login(coordinator)
    url = reverse("meetings:meeting-live", args=[meeting.pk])
    planned = client.get(url).content.decode()
    assert "Recommended pathway:" in planned  # the case's own scores are shown
    assert "not scorable" not in planned
    assert "none yet: taken from the scores when the agenda is locked" in planned
    services.meeting_lock(meeting=meeting, actor=coordinator)
    locked = client.get(url).content.decode()
    assert "none yet" not in locked and "not scorable" not in locked
    # The fixture's case: SINS 9, Bilsky 1b, a radiosensitive subtype: NOMS says cEBRT.
    assert f"Service recommendation:</strong> {label('cebrt', 'pathway')}" in locked


def test_meeting_mode_and_the_case_page_tell_the_same_systemic_therapy(
        meeting, coordinator, breast_surgeon, neurosurgeon, teams, client) -> None:
    """A held CDK4/6 inhibitor recorded as an episode (CLINICAL.md §10): meeting mode's summary
    said "CDK4/6 inhibitor: no" from the case's older summary field beside the episode table
    that listed it held. Both pages now write the same row from the episodes."""
    import datetime as dt

    from django.utils import timezone

    from cases.models import LabValue, SystemicTherapyEpisode, TherapyHold

    (item,) = _agenda(1, meeting, coordinator, breast_surgeon, neurosurgeon, teams)
    today = timezone.localdate()
    episode = SystemicTherapyEpisode.objects.create(
        case=item.case, therapy_class="cdk46_inhibitor", drug="ribociclib",
        started_on=today - dt.timedelta(days=120), recorded_by=breast_surgeon)
    TherapyHold.objects.create(episode=episode, held_from=today - dt.timedelta(days=9),
                               reason="before surgery", recorded_by=breast_surgeon)
    expected = f"CDK4/6 inhibitor (ribociclib, held since {today - dt.timedelta(days=9):%Y-%m-%d})"
    client.force_login(coordinator)
    live = client.get(reverse("meetings:meeting-live", args=[meeting.pk])).content.decode()
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[item.case_id])).content.decode()
    # The history line names the phase as the timeline does ("MDT tumor board", not lowercased).
    assert f"current phase: {label(item.case.phase, 'phase')}." in live
    for html in (live, page):
        row = html[html.index("<th>Systemic therapy</th>"):]
        row = row[:row.index("</tr>")]
        assert expected in row and "CDK4/6 inhibitor: no" not in row
    # The readiness table on meeting mode and on the agenda page reads the same episodes
    # (completeness v2): it said "no CDK4/6 inhibitor; no ANC recorded" from the summary fields.
    LabValue.objects.create(case=item.case, kind="anc", value=2100,
                            taken_on=today - dt.timedelta(days=2), recorded_by=breast_surgeon)
    held = (f"ribociclib (CDK4/6 inhibitor) held since "
            f"{today - dt.timedelta(days=9):%d %b %Y}; ANC {today - dt.timedelta(days=2):%d %b %Y}")
    client.force_login(coordinator)
    html = client.get(reverse("meetings:meeting-live", args=[meeting.pk])).content.decode()
    table = html[html.index('<ul class="plain completeness">'):]
    table = table[:table.index("</ul>")]
    assert "Systemic therapy state known" in table and held in table, table
    assert "no CDK4/6 inhibitor" not in table and "no ANC" not in table
    # The agenda page (its items read together) says the same.
    agenda = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    (shown,) = agenda.context["items"]
    assert shown.completeness.checks[-1].note == held
