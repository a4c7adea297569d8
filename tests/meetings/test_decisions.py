"""Decisions, quorum gating and the meeting state machine, by service and by API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import services, states
from meetings.models import AgendaItem, Decision, MeetingEvent
from tests.factories import on_its_day
from tests.meetings.conftest import mark_all_present

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(meeting, coordinator, mdt_case):
    """The meeting in session with the one case (recommended: cEBRT) on its agenda."""
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    meeting.refresh_from_db()
    return meeting


def _item(meeting):
    return AgendaItem.objects.get(meeting=meeting)


def test_a_decision_that_follows_the_recommendation_needs_no_reason(session, coordinator,
                                                                    neurosurgeon) -> None:
    decision = services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                                        rationale="Low grade, radiosensitive.",
                                        responsible=neurosurgeon, urgency="green")
    assert decision.follows_recommendation is True
    assert decision.recommended_pathway == "cebrt" and decision.override_reason == ""


def test_an_override_without_a_reason_is_refused_and_saves_nothing(session, coordinator,
                                                                   neurosurgeon) -> None:
    with pytest.raises(ValidationError) as error:
        services.decision_record(item=_item(session), actor=coordinator,
                                 pathway="separation_surgery_srs", rationale="Surgery first.",
                                 responsible=neurosurgeon)
    assert "override_reason" in error.value.message_dict
    assert not Decision.objects.exists()
    decision = services.decision_record(
        item=_item(session), actor=coordinator, pathway="separation_surgery_srs",
        rationale="Surgery first.", responsible=neurosurgeon,
        override_reason="Rapid neurological decline since the MRI.")
    assert decision.follows_recommendation is False


def test_the_api_names_override_reason_when_an_override_has_none(session, coordinator,
                                                                 neurosurgeon,
                                                                 api_client) -> None:
    api_client.force_authenticate(coordinator)
    url = reverse("api-meeting-item-decision", args=[session.pk, _item(session).pk])
    body = {"pathway": "srs", "rationale": "x", "responsible": neurosurgeon.pk}
    response = api_client.post(url, body, format="json")
    assert response.status_code == 400
    assert "override_reason" in response.json()
    bad = api_client.post(url, {"pathway": "surgery", "rationale": "", "responsible": 0},
                          format="json")
    assert bad.status_code == 400
    assert {"pathway", "rationale"} <= set(bad.json())
    ok = api_client.post(url, {**body, "override_reason": "Patient prefers SRS."},
                         format="json")
    assert ok.status_code == 200 and ok.json()["follows_recommendation"] is False


def test_finalizing_without_quorum_is_refused_unless_the_chair_records_why(
        session, coordinator, neurosurgeon, breast_surgeon) -> None:
    services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                             rationale="ok", responsible=neurosurgeon)
    services.attendance_record(meeting=session, user_id=breast_surgeon.pk, present=True,
                               actor=coordinator)
    with pytest.raises(services.QuorumNotMet) as error:
        services.meeting_finalize(meeting=session, actor=coordinator)
    assert error.value.missing == ["neurosurgeon", "radiation_oncologist"]
    with pytest.raises(PermissionDenied):
        services.meeting_finalize(meeting=session, actor=coordinator,
                                  quorum_override_reason="Radiation oncologist on leave.")
    meeting = services.meeting_finalize(meeting=session, actor=neurosurgeon,
                                        quorum_override_reason="Radiation oncologist on leave.")
    assert meeting.status == "finalized" and meeting.quorum_met is False
    assert meeting.quorum_override_reason == "Radiation oncologist on leave."


def test_finalizing_with_quorum_records_it(session, coordinator, neurosurgeon) -> None:
    services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                             rationale="ok", responsible=neurosurgeon)
    mark_all_present(session, coordinator)
    meeting = services.meeting_finalize(meeting=session, actor=coordinator)
    assert meeting.quorum_met is True
    event = MeetingEvent.objects.get(meeting=meeting, action="finalize")
    assert (event.from_status, event.to_status, event.actor) == ("in_session", "finalized",
                                                                 coordinator)


def test_the_quorum_roles_come_from_the_setting(session, coordinator, neurosurgeon,
                                                settings) -> None:
    settings.MDT_QUORUM_ROLES = ("neurosurgeon",)
    services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                             rationale="ok", responsible=neurosurgeon)
    services.attendance_record(meeting=session, user_id=neurosurgeon.pk, present=True,
                               actor=coordinator)
    assert services.meeting_finalize(meeting=session, actor=coordinator).quorum_met is True


def test_the_api_answers_409_with_the_missing_roles_without_quorum(session, coordinator,
                                                                   neurosurgeon,
                                                                   api_client) -> None:
    services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                             rationale="ok", responsible=neurosurgeon)
    api_client.force_authenticate(coordinator)
    response = api_client.post(reverse("api-meeting-finalize", args=[session.pk]), {},
                               format="json")
    assert response.status_code == 409
    body = response.json()
    assert "quorum" in body["detail"] and "radiation_oncologist" in body["missing_roles"]


def test_finalizing_with_an_undecided_item_is_refused(session, coordinator) -> None:
    mark_all_present(session, coordinator)
    with pytest.raises(ValidationError) as error:
        services.meeting_finalize(meeting=session, actor=coordinator)
    assert "items" in error.value.message_dict


def test_follow_up_is_recorded_after_the_meeting(session, coordinator, neurosurgeon) -> None:
    decision = services.decision_record(item=_item(session), actor=coordinator, pathway="cebrt",
                                        rationale="ok", responsible=neurosurgeon)
    mark_all_present(session, coordinator)
    services.meeting_finalize(meeting=session, actor=coordinator)
    with pytest.raises(ValidationError) as error:
        services.decision_follow_up(decision=decision, actor=neurosurgeon, carried_out=True)
    assert "carried_out_at" in error.value.message_dict
    decision = services.decision_follow_up(decision=decision, actor=neurosurgeon,
                                           carried_out=True, carried_out_at=timezone.localdate())
    assert decision.carried_out is True


# --- the state machine ----------------------------------------------------------------------

LEGAL = [("planned", "lock", "agenda_locked"), ("agenda_locked", "reopen", "planned"),
         ("agenda_locked", "start", "in_session"), ("in_session", "finalize", "finalized")]
#: What may be done in each state, moves first (written out from meetings.states' docstring, not
#: read from its tables): agenda edits while planned (an item's details until the session),
#: attendance until finalized, decisions in session, their follow-up from the session on.
ALLOWED = {
    "planned": ["lock", "populate", "add_item", "reorder", "edit_item", "attendance"],
    "agenda_locked": ["reopen", "start", "edit_item", "attendance"],
    "in_session": ["finalize", "attendance", "decide", "follow_up"],
    "finalized": ["follow_up"],
}


@pytest.mark.parametrize(("status", "action", "to"), LEGAL)
def test_each_legal_move_is_in_the_table(status, action, to) -> None:
    assert states.move_for(status, action).to_status == to


@pytest.mark.parametrize("status", ["planned", "agenda_locked", "in_session", "finalized"])
@pytest.mark.parametrize("action", ["lock", "reopen", "start", "finalize"])
def test_every_other_move_is_illegal(status, action) -> None:
    if (status, action) in {(s, a) for s, a, _ in LEGAL}:
        return
    with pytest.raises(states.IllegalMove) as error:
        states.move_for(status, action)
    assert error.value.allowed == ALLOWED[status] == states.allowed_actions(status)


def test_illegal_moves_by_service_change_nothing(meeting, coordinator, mdt_case) -> None:
    with pytest.raises(states.IllegalMove):
        services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    with pytest.raises(states.IllegalMove):
        services.agenda_populate(meeting=meeting, actor=coordinator)
    with pytest.raises(states.IllegalMove):
        services.decision_record(item=_item(meeting), actor=coordinator, pathway="cebrt",
                                 rationale="x", responsible=coordinator)
    meeting.refresh_from_db()
    assert meeting.status == "agenda_locked"


def test_an_illegal_move_by_api_is_409_with_the_allowed_actions(meeting, coordinator,
                                                               api_client) -> None:
    api_client.force_authenticate(coordinator)
    response = api_client.post(reverse("api-meeting-start", args=[meeting.pk]), {},
                               format="json")
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == ALLOWED["planned"]
    assert "lock" in response.json()["allowed_actions"]


def test_the_whole_meeting_runs_through_the_api(meeting, coordinator, neurosurgeon, mdt_case,
                                                api_client) -> None:
    api_client.force_authenticate(coordinator)
    populated = api_client.post(reverse("api-meeting-agenda-populate", args=[meeting.pk]))
    assert populated.status_code == 200 and populated.json()[0]["case"] == mdt_case.pk
    item_id = populated.json()[0]["id"]
    assert api_client.post(reverse("api-meeting-lock", args=[meeting.pk])).json()["status"] \
        == "agenda_locked"
    on_its_day(meeting)
    assert api_client.post(reverse("api-meeting-start", args=[meeting.pk])).status_code == 200
    for attendance in meeting.attendances.all():
        assert api_client.post(reverse("api-meeting-attendance", args=[meeting.pk]),
                               {"user": attendance.user_id, "present": True},
                               format="json").status_code == 200
    decision = api_client.post(reverse("api-meeting-item-decision", args=[meeting.pk, item_id]),
                               {"pathway": "cebrt", "rationale": "ok",
                                "responsible": neurosurgeon.pk}, format="json")
    assert decision.status_code == 200
    final = api_client.post(reverse("api-meeting-finalize", args=[meeting.pk]), {},
                            format="json")
    assert final.status_code == 200 and final.json()["status"] == "finalized"
    assert final.json()["agenda"][0]["decision"]["pathway"] == "cebrt"
    case = api_client.get(reverse("api-case", args=[mdt_case.pk])).json()
    assert case["last_decision"]["pathway"] == "cebrt"


def test_creating_a_meeting_by_api_validates_every_field(coordinator, neurosurgeon, mdt_team,
                                                        api_client) -> None:
    api_client.force_authenticate(coordinator)
    url = reverse("api-meetings")
    bad = api_client.post(url, {"mdt_team": mdt_team.pk, "starts_at": "tomorrow",
                                "chair": neurosurgeon.pk}, format="json")
    assert bad.status_code == 400 and "starts_at" in bad.json()
    no_place = api_client.post(url, {"mdt_team": mdt_team.pk, "chair": neurosurgeon.pk,
                                     "starts_at": (timezone.now() + dt.timedelta(days=2))
                                     .isoformat()}, format="json")
    assert no_place.status_code == 400 and "place" in no_place.json()
    ok = api_client.post(url, {"mdt_team": mdt_team.pk, "chair": neurosurgeon.pk,
                               "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
                               "video_link": "https://video.example/mdt",
                               "attendees": [neurosurgeon.pk]}, format="json")
    assert ok.status_code == 201
    assert ok.json()["coordinator"] == coordinator.pk
