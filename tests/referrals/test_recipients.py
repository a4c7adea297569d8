"""Issue 15: every alert reaches the right party. The sending side of a breast-to-neuro referral
is the breast team, whoever recorded the data that raised it; only the sending side cancels, with
a reason, and the receiving side is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from referrals import services
from referrals.models import Alert, AlertKind, Referral
from referrals.recipients import RECIPIENTS, Side
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

#: The table of issue 15, written out here (not read from the code under test).
EXPECTED_SIDES = {
    "new_referral": "receiving",
    "referral_updated": "receiving_and_taker",
    "systemic_therapy_hold": "breast_surgeons",
    "info_requested": "sending",
    "answered": "taker_else_receiving",
    "decided": "sending",
    "cancelled": "taker_else_receiving",
    "escalation_team": "receiving_rest",
    "escalation_lead": "lead_and_coordinators",
    "weekend_watch": "coordinators_orange_lead",
}


def test_every_referral_alert_kind_has_its_side() -> None:
    # A case's alerts, not a referral's: the decision's responsible clinician and the follow-through
    # tasks (followthrough.alerts names their owners).
    case_kinds = {"decision_responsible", "task_assigned", "task_unassigned", "task_escalated",
                  "task_overdue"}
    referral_kinds = set(AlertKind.values) - case_kinds
    assert set(RECIPIENTS) == referral_kinds
    assert {kind: Side(side).value for kind, side in RECIPIENTS.items()} == EXPECTED_SIDES


@pytest.fixture
def neuro_raised(breast_surgeon, neurosurgeon, breast_team, spine_team) -> Referral:
    """The neurosurgeon records the imaging that fires a breast-to-neuro trigger (the patient is
    on a CDK4/6 inhibitor, so high-grade compression brings the hold advice, §10)."""
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       cdk46_inhibitor=True)
    add_lesion(case, actor=neurosurgeon, bilsky="2")
    return Referral.objects.get(case=case, direction="breast_to_neuro")


def _recipients(referral: Referral, kind: str) -> set[str]:
    return set(Alert.objects.filter(referral=referral, kind=kind)
               .values_list("recipient__username", flat=True))


def test_data_recorded_by_the_receiving_side_keeps_the_breast_team_as_sender(
        neuro_raised, neurosurgeon) -> None:
    referral = neuro_raised
    assert referral.raised_by == neurosurgeon and referral.sender is None
    assert referral.sending_team == referral.case.breast_team
    assert _recipients(referral, "new_referral") == {"bob"}
    # High-grade compression: the breast oncosurgeon holds systemic therapy, not the raiser.
    assert _recipients(referral, "systemic_therapy_hold") == {"alice"}


def test_questions_and_decisions_go_to_the_breast_team(neuro_raised, neurosurgeon,
                                                       breast_surgeon) -> None:
    referral = services.referral_acknowledge(referral=neuro_raised, actor=neurosurgeon)
    referral = services.referral_request_info(referral=referral, actor=neurosurgeon,
                                              question="Any night pain?")
    assert _recipients(referral, "info_requested") == {"alice"}
    referral = services.referral_answer(referral=referral, actor=breast_surgeon, answer="Yes.")
    assert _recipients(referral, "answered") == {"bob"}
    referral = services.referral_accept(referral=referral, actor=neurosurgeon)
    assert _recipients(referral, "decided") == {"alice"}


def test_only_the_sending_side_cancels_and_it_says_why(neuro_raised, neurosurgeon,
                                                       breast_surgeon) -> None:
    referral = services.referral_acknowledge(referral=neuro_raised, actor=neurosurgeon)
    with pytest.raises(PermissionDenied):
        services.referral_cancel(referral=referral, actor=neurosurgeon, reason="not mine")
    with pytest.raises(ValidationError) as refused:
        services.referral_cancel(referral=referral, actor=breast_surgeon, reason="  ")
    assert "reason" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "acknowledged"
    referral = services.referral_cancel(referral=referral, actor=breast_surgeon,
                                        reason="Treated at another centre.")
    assert referral.status == "cancelled" and referral.cancel_reason == "Treated at another centre."
    assert _recipients(referral, "cancelled") == {"bob"}


def test_the_page_refuses_a_cancel_by_the_receiving_side(neuro_raised, neurosurgeon,
                                                         client) -> None:
    from django.urls import reverse

    client.force_login(neurosurgeon)
    page = client.get(reverse("referrals:referral-detail", args=[neuro_raised.pk]))
    assert b'id="act-cancel"' not in page.content
    answer = client.post(reverse("referrals:referral-act", args=[neuro_raised.pk, "cancel"]),
                         {"text": "x"})
    assert answer.status_code == 403
    neuro_raised.refresh_from_db()
    assert neuro_raised.status == "sent"
