"""The referral record follows the patient (issue 17, points 4 and 5): a finalized MDT decision
resolves every open referral of its case, the neurosurgeon-first path never refers a patient to
the neurosurgeon's own team, answered triggers leave the breast home, the case page keeps every
referral with its history, and re-flagging shows the last decline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from meetings import services as meeting_services
from meetings.models import AgendaItem, Decision
from portal.dashboards import unreferred_triggers
from referrals import selectors, services
from referrals.models import Referral
from tests.factories import add_lesion, create_case, make_mdt_case, on_its_day
from tests.meetings.conftest import mark_all_present

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(coordinator, neurosurgeon, breast_surgeon, oncologist, mdt_team) -> Any:
    return meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=3), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Seminar room 2",
        attendees=[breast_surgeon, oncologist])


def _decide_all(meeting, coordinator, neurosurgeon) -> None:
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    for item in AgendaItem.objects.filter(meeting=meeting):
        meeting_services.decision_record(
            item=item, actor=coordinator, pathway="separation_surgery_srs",
            rationale="Decompression first.", responsible=neurosurgeon,
            override_reason="Decided on the images shown at the meeting.")
    mark_all_present(meeting, coordinator)
    meeting_services.meeting_finalize(meeting=meeting, actor=coordinator)


# --- a finalized decision resolves every open referral of its case -------------------------------


def test_a_finalized_decision_resolves_every_open_referral_and_the_queues_drop_them(
    meeting, coordinator, neurosurgeon, breast_surgeon, teams
) -> None:
    listed = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    # A neurological deficit: red (CLINICAL.md §9), never acknowledged, past its due time.
    red_case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                             teams=teams, accept=False, frankel="C")
    red = Referral.objects.get(case=red_case, direction="breast_to_neuro")
    assert (red.status, red.urgency) == ("sent", "red")
    Referral.objects.filter(pk=red.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    meeting_services.agenda_item_add(meeting=meeting, case=red_case, actor=neurosurgeon,
                                     question="Deficit since yesterday.")
    assert red.pk in [r.pk for r in selectors.overdue_referrals(user=coordinator)]

    _decide_all(meeting, coordinator, neurosurgeon)

    for case in (listed, red_case):
        referral = Referral.objects.get(case=case, direction="breast_to_neuro")
        decision = Decision.objects.get(item__case=case)
        assert referral.status == "closed" and referral.closed_at is not None
        assert referral.mdt_decision_id == decision.pk
        assert referral.escalation_due_at is None
        assert referral.events.last().action == "resolve"
    assert not selectors.triage_queue(user=neurosurgeon).exists()
    assert not selectors.overdue_referrals(user=coordinator).exists()
    # The sending team still sees them among its recent referrals, closed, with no action left.
    outgoing = list(selectors.outgoing_referrals(user=breast_surgeon))
    assert {r.status for r in outgoing} == {"closed"}
    team_ids = selectors.user_team_ids(breast_surgeon)
    assert all(selectors.allowed_actions(r, user=breast_surgeon, team_ids=team_ids) == []
               for r in outgoing)


def test_resolve_is_the_services_own_move(referral, neurosurgeon, client) -> None:
    """Nobody resolves a referral by hand: the page refuses the action as unknown."""
    client.force_login(neurosurgeon)
    response = client.post(reverse("referrals:referral-act", args=[referral.pk, "resolve"]))
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


# --- the neurosurgeon-first path ----------------------------------------------------------------


def test_a_neurosurgeon_first_case_raises_no_referral_to_the_neurosurgeons_own_team(
    neurosurgeon, breast_team, spine_team, breast_surgeon
) -> None:
    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team)
    add_lesion(case, actor=neurosurgeon)  # SINS 9, Bilsky 1b: sins_7_or_more, epidural_extension
    case_services.assessment_create(case=case, actor=neurosurgeon)
    assert not Referral.objects.filter(case=case).exists()
    # Nor does the breast home list it as waiting for a referral: the spine team has it.
    case.refresh_from_db()
    assert case.latest_assessment.result["triggers"]
    assert case.pk not in [c.pk for c, _ in unreferred_triggers(user=breast_surgeon)]


def test_a_neurosurgeons_imaging_on_a_breast_first_case_still_refers_it(
    neurosurgeon, breast_surgeon, breast_team, spine_team
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    add_lesion(case, actor=neurosurgeon)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    assert referral.sending_team == breast_team and referral.receiving_team == spine_team
    assert referral.sender is None and referral.raised_by == neurosurgeon


def test_the_demo_neurosurgeon_first_patient_has_no_self_referral() -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    referrals = Referral.objects.filter(case__patient__mrn="DEMO-1003")
    assert referrals.exists() is False or all(
        r.sending_team_id != r.receiving_team_id and r.direction != "breast_to_neuro"
        for r in referrals)
    assert all(r.sending_team_id != r.receiving_team_id for r in Referral.objects.all())


# --- the breast home: triggers fired, not referred ----------------------------------------------


def _scored_case(breast_surgeon, teams, **study: object) -> Any:
    case = create_case(actor=breast_surgeon, **teams)
    add_lesion(case, actor=breast_surgeon, **study)
    case_services.assessment_create(case=case, actor=breast_surgeon)
    case.refresh_from_db()
    return case


def _listed(user) -> dict[int, list[str]]:
    return {case.pk: codes for case, codes in unreferred_triggers(user=user)}


def test_a_declined_referral_answers_its_triggers_until_new_evidence(
    breast_surgeon, neurosurgeon, teams
) -> None:
    case = _scored_case(breast_surgeon, teams)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    assert case.pk not in _listed(breast_surgeon)  # open: the spine team has it
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_decline(referral=referral, actor=neurosurgeon, reason="Stable, MRI in 6 w.")
    case_services.assessment_create(case=case, actor=breast_surgeon)  # same findings, later
    assert case.pk not in _listed(breast_surgeon)
    # New evidence the spine team has not seen: a second lesion, Bilsky 2 (high-grade ESCC).
    add_lesion(case, actor=breast_surgeon, levels=["L2"], bilsky="2")
    case_services.assessment_create(case=case, actor=breast_surgeon)
    assert Referral.objects.filter(case=case, status="sent").exists()  # raised again
    Referral.objects.filter(case=case).exclude(pk=referral.pk).delete()  # as if it were not
    assert "epidural_extension" in _listed(breast_surgeon)[case.pk]


def test_a_closed_or_cancelled_referral_answers_its_triggers(breast_surgeon, teams) -> None:
    case = _scored_case(breast_surgeon, teams)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    services.referral_cancel(referral=referral, actor=breast_surgeon, reason="Seen in clinic.")
    assert case.pk not in _listed(breast_surgeon)


def test_a_fired_trigger_nobody_answered_is_listed(breast_surgeon, teams) -> None:
    case = _scored_case(breast_surgeon, teams)
    Referral.objects.filter(case=case).delete()  # the referral was never raised
    assert sorted(_listed(breast_surgeon)[case.pk]) == ["epidural_extension", "sins_7_or_more"]


def test_a_finalized_decision_after_the_evidence_answers_the_triggers(
    meeting, coordinator, neurosurgeon, breast_surgeon, teams
) -> None:
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    _decide_all(meeting, coordinator, neurosurgeon)
    Referral.objects.filter(case=case).delete()  # only the decision answers them now
    assert case.pk not in _listed(breast_surgeon)


# --- the case page keeps every referral; re-flagging shows the last decline ---------------------


def test_the_case_page_lists_a_declined_referral_with_its_reason_and_history(
    client, breast_surgeon, neurosurgeon, care_case, referral
) -> None:
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_decline(referral=referral, actor=neurosurgeon,
                              reason="Stable blastic lesion, radiotherapy via the MDT.")
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "No referral yet" not in page
    assert reverse("referrals:referral-detail", args=[referral.pk]) in page
    assert "Declined" in page and "Stable blastic lesion, radiotherapy via the MDT." in page
    assert "History (4)" in page  # raise, send, acknowledge, decline
    assert f"by {neurosurgeon.display_name}" in page


def test_reflagging_after_a_decline_shows_the_decline_on_the_form_and_the_new_referral(
    client, breast_surgeon, neurosurgeon, care_case, referral
) -> None:
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_decline(referral=referral, actor=neurosurgeon, reason="No instability.")
    client.force_login(breast_surgeon)
    form = client.get(reverse("referrals:flag-trigger", args=[care_case.pk])).content.decode()
    assert "Last declined" in form and "No instability." in form
    assert neurosurgeon.display_name in form
    response = client.post(reverse("referrals:flag-trigger", args=[care_case.pk]),
                           {"trigger_codes": ["back_pain"], "note": "Worse at night."})
    new = Referral.objects.exclude(pk=referral.pk).get(case=care_case)
    assert response.status_code == 302
    # Only the flagged code is "by hand"; the others fired from the recorded lesion.
    assert dict(new.triggers.values_list("code", "source")) == {
        "back_pain": "manual", "sins_7_or_more": "rules", "epidural_extension": "rules"}
    detail = client.get(reverse("referrals:referral-detail", args=[new.pk])).content.decode()
    assert "Declined before" in detail and "No instability." in detail
    assert reverse("referrals:referral-detail", args=[referral.pk]) in detail


def test_a_referral_never_declined_shows_no_earlier_decline(client, breast_surgeon,
                                                            care_case, referral) -> None:
    client.force_login(breast_surgeon)
    form = client.get(reverse("referrals:flag-trigger", args=[care_case.pk])).content.decode()
    detail = client.get(reverse("referrals:referral-detail", args=[referral.pk])).content.decode()
    assert "Last declined" not in form and "Declined before" not in detail


def test_the_case_page_costs_the_same_with_more_past_referrals(
    client, breast_surgeon, neurosurgeon, care_case, referral
) -> None:
    """Each round declines the open referral and flags a new one, so the case gathers past
    referrals with their triggers and events; the page's queries do not grow with them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(breast_surgeon)
    url = reverse("cases:case-detail", args=[care_case.pk])
    counts = []
    current = referral
    for _ in range(3):
        services.referral_acknowledge(referral=current, actor=neurosurgeon)
        services.referral_decline(referral=current, actor=neurosurgeon, reason="Not yet.")
        current = services.referral_flag(case=care_case, codes=["back_pain"],
                                         actor=breast_surgeon)
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert Referral.objects.filter(case=care_case).count() == 4
    assert counts[0] == counts[1] == counts[2]


def test_waiting_triggers_are_found_past_the_first_chunk_of_answered_candidates(
    breast_surgeon, teams, monkeypatch, django_assert_max_num_queries
) -> None:
    """The evidence is read a chunk of candidates at a time (portal.dashboards, issue 22): the
    older cases nobody answered are still found behind a chunk of recent ones whose triggers a
    cancelled referral answered with the same evidence; a full list stops after a chunk."""
    from portal import dashboards

    monkeypatch.setattr(dashboards, "EVIDENCE_CHUNK", 3)
    waiting = []
    for _ in range(2):
        case = _scored_case(breast_surgeon, teams)
        Referral.objects.filter(case=case).delete()  # never referred
        waiting.append(case.pk)
    for _ in range(4):  # more recent, answered: a candidate (referral before the assessment)
        case = _scored_case(breast_surgeon, teams)
        referral = Referral.objects.get(case=case, direction="breast_to_neuro")
        services.referral_cancel(referral=referral, actor=breast_surgeon, reason="Seen.")
        case_services.assessment_create(case=case, actor=breast_surgeon)
    assert sorted(_listed(breast_surgeon)) == sorted(waiting)
    # The rule's rows, then two chunks of three queries (candidates, referral triggers,
    # decisions): the second holds the first waiting case, and no third chunk is read.
    with django_assert_max_num_queries(7):
        (first,) = unreferred_triggers(user=breast_surgeon, limit=1)
    assert first[0].pk == waiting[-1]
