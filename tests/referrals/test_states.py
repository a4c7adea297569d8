"""Every move of the state machine, legal and illegal, through the service and the API.

The expected answers are written out by hand from DESIGN.md (Referral) and the docstring of
referrals.states, not read from ``referrals.states.MOVES``: a wrong entry in the table fails here.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.states import MOVES, PERSON_ACTIONS, Action, IllegalMove
from tests.referrals.conftest import act

pytestmark = pytest.mark.django_db

#: The path from "sent" to each status, by (action, who): receiver bob, sender alice.
PATHS = {
    "sent": [],
    "acknowledged": ["acknowledge"],
    "accepted": ["acknowledge", "accept"],
    "declined": ["acknowledge", "decline"],
    "info_requested": ["acknowledge", "request_info"],
    "listed_for_mdt": ["acknowledge", "accept", "list_for_mdt"],
    "closed": ["acknowledge", "accept", "list_for_mdt", "close"],
    "cancelled": ["cancel"],
}
#: Who makes each action a person takes: the receiving team triages, lists and closes; the
#: sending team answers a question and cancels.
WHO = {
    "acknowledge": "receiver", "accept": "receiver", "decline": "receiver",
    "request_info": "receiver", "answer": "sender", "list_for_mdt": "receiver",
    "close": "receiver", "cancel": "sender",
}
#: (status, action) -> the new status; every pair not here is illegal (HTTP 409). The sender
#: cancels before the triage decision (sent or acknowledged; not once a question is open).
LEGAL = {
    ("sent", "acknowledge"): "acknowledged",
    ("sent", "cancel"): "cancelled",
    ("acknowledged", "accept"): "accepted",
    ("acknowledged", "decline"): "declined",
    ("acknowledged", "request_info"): "info_requested",
    ("acknowledged", "cancel"): "cancelled",
    ("info_requested", "answer"): "acknowledged",
    ("accepted", "list_for_mdt"): "listed_for_mdt",
    ("listed_for_mdt", "close"): "closed",
}
ACTIONS = ["acknowledge", "accept", "decline", "request_info", "answer", "list_for_mdt", "close",
           "cancel"]
CASES = [(status, action) for status in PATHS for action in ACTIONS]


def test_the_table_holds_exactly_these_moves() -> None:
    """The production table against the hand-written one, with the service's own ``send``
    (raised -> sent, by the system) and the cancel of a raised referral."""
    table = {(m.from_status.value, m.action.value): (m.to_status.value, m.by.value)
             for m in MOVES}
    expected = {key: (to, WHO[key[1]]) for key, to in LEGAL.items()}
    expected[("raised", "send")] = ("sent", "system")
    expected[("raised", "cancel")] = ("cancelled", "sender")
    # A finalized MDT decision resolves a referral from every open status (the service's own).
    for status in ("raised", "sent", "acknowledged", "info_requested", "accepted",
                   "listed_for_mdt"):
        expected[(status, "resolve")] = ("closed", "system")
        # The occult-primary work-up excludes the breast: closed with the reason (§17).
        expected[(status, "exclude_primary")] = ("closed", "system")
    # A confirmed breast primary moves a referral waiting for its triage decision on (§17).
    for status in ("sent", "acknowledged", "info_requested"):
        expected[(status, "confirm_primary")] = ("accepted", "system")
    assert table == expected
    assert [action.value for action in PERSON_ACTIONS] == ACTIONS


def _actor_for(action: str, sender, receiver):
    return sender if WHO[action] == "sender" else receiver


def _bring(referral: Referral, status: str, sender, receiver) -> Referral:
    for action in PATHS[status]:
        referral = act(referral, action, _actor_for(action, sender, receiver))
    assert referral.status == status
    return referral


@pytest.mark.parametrize(("status", "action"), CASES)
def test_every_move_through_the_service(status, action, referral, breast_surgeon,
                                        neurosurgeon) -> None:
    referral = _bring(referral, status, breast_surgeon, neurosurgeon)
    events = ReferralEvent.objects.filter(referral=referral).count()
    actor = _actor_for(action, breast_surgeon, neurosurgeon)
    if (status, action) in LEGAL:
        moved = act(referral, action, actor)
        expected = LEGAL[status, action]
        assert moved.status == expected
        event = ReferralEvent.objects.filter(referral=referral).last()
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action, status, expected, actor)
    else:
        with pytest.raises(IllegalMove) as error:
            act(referral, action, actor)
        assert error.value.status == status
        assert set(error.value.allowed) == {a for (s, a) in LEGAL if s == status}
        referral.refresh_from_db()
        assert referral.status == status
        assert ReferralEvent.objects.filter(referral=referral).count() == events


@pytest.mark.parametrize(("status", "action"), CASES)
def test_every_move_through_the_api(status, action, referral, breast_surgeon, neurosurgeon,
                                    api_client) -> None:
    referral = _bring(referral, status, breast_surgeon, neurosurgeon)
    actor = _actor_for(action, breast_surgeon, neurosurgeon)
    api_client.force_authenticate(actor)
    url = reverse(f"api-referral-{action}", args=[referral.pk])
    body = {"reason": "no instability", "question": "MRI date?", "answer": "5 Jan",
            "note": "ok"}
    response = api_client.post(url, body, format="json")
    referral.refresh_from_db()
    if (status, action) in LEGAL:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == referral.status == LEGAL[status, action]
    else:
        assert response.status_code == 409
        data = response.json()
        assert data["status"] == status
        assert set(data["allowed_actions"]) == {a for (s, a) in LEGAL if s == status}
        assert referral.status == status


@pytest.mark.parametrize(("action", "field"), [("decline", "reason"),
                                               ("request_info", "question")])
def test_decline_and_request_info_need_their_text(action, field, referral, neurosurgeon,
                                                  api_client) -> None:
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    with pytest.raises(ValidationError):
        act(referral, action, neurosurgeon, text="  ")
    api_client.force_authenticate(neurosurgeon)
    response = api_client.post(reverse(f"api-referral-{action}", args=[referral.pk]), {},
                               format="json")
    assert response.status_code == 400 and field in response.json()
    referral.refresh_from_db()
    assert referral.status == "acknowledged"


def test_the_answer_returns_the_referral_to_the_receiver(referral, breast_surgeon,
                                                          neurosurgeon) -> None:
    services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    services.referral_request_info(referral=referral, actor=neurosurgeon, question="Frankel?")
    assert referral.alerts.filter(kind="info_requested", recipient=breast_surgeon).exists()
    back = services.referral_answer(referral=referral, actor=breast_surgeon, answer="E")
    assert (back.status, back.info_answer) == ("acknowledged", "E")
    assert referral.alerts.filter(kind="answered", recipient=neurosurgeon).exists()


@pytest.mark.parametrize("action", [Action.ACKNOWLEDGE, Action.ACCEPT, Action.DECLINE,
                                    Action.REQUEST_INFO])
def test_triage_is_for_the_receiving_team_only(action, referral, breast_surgeon, api_client):
    with pytest.raises(PermissionDenied):
        act(referral, action, breast_surgeon)
    api_client.force_authenticate(breast_surgeon)
    response = api_client.post(reverse(f"api-referral-{action}", args=[referral.pk]),
                               {"reason": "r", "question": "q"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("action", [Action.CANCEL, Action.ANSWER])
def test_answer_and_cancel_are_for_the_sending_team_only(action, referral, neurosurgeon,
                                                          api_client) -> None:
    with pytest.raises(PermissionDenied):
        act(referral, action, neurosurgeon)
    api_client.force_authenticate(neurosurgeon)
    response = api_client.post(reverse(f"api-referral-{action}", args=[referral.pk]),
                               {"answer": "a", "reason": "r"}, format="json")
    assert response.status_code == 403


def test_acknowledge_assigns_the_clinician_and_stops_escalation(referral, neurosurgeon):
    moved = services.referral_acknowledge(referral=referral, actor=neurosurgeon)
    assert moved.assignee == neurosurgeon and moved.escalation_due_at is None
