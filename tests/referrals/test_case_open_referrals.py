"""The case's open referrals, as the case endpoint and page show them: each open referral once,
in direction order, with its trigger codes in the order they fired, and none of the closed
ones; a referral without triggers shows an empty list (one query: referrals LEFT JOIN
triggers). Rows are made with the plain ORM, as the admin or an import would leave them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.models import Referral, ReferralStatus, ReferralTrigger
from referrals.selectors import case_open_referrals
from tests.factories import create_case

pytestmark = pytest.mark.django_db


def fire(referral: Referral, code: str, at: dt.datetime) -> None:
    trigger = ReferralTrigger.objects.create(referral=referral, code=code)
    ReferralTrigger.objects.filter(pk=trigger.pk).update(fired_at=at)  # auto_now_add otherwise


def test_open_referrals_with_their_triggers_in_firing_order(
    breast_surgeon, breast_team, spine_team, django_assert_num_queries
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    now = timezone.now()
    due = now + dt.timedelta(hours=4)
    to_neuro = Referral.objects.create(
        case=case, direction="breast_to_neuro", status=ReferralStatus.SENT, urgency="orange",
        due_at=due, escalation_level=1, receiving_team=spine_team)
    # Created first but fired later: the order is the firing time, not the row's id.
    fire(to_neuro, "sins_7_or_more", now - dt.timedelta(minutes=5))
    fire(to_neuro, "back_pain", now - dt.timedelta(minutes=30))
    to_breast = Referral.objects.create(
        case=case, direction="neuro_to_breast", status=ReferralStatus.RAISED,
        receiving_team=breast_team)
    closed = Referral.objects.create(
        case=case, direction="breast_to_neuro", status=ReferralStatus.DECLINED,
        decline_reason="Seen in clinic: no instability.",
        receiving_team=spine_team)
    fire(closed, "neurological_deficit", now)

    expected = [
        {"id": to_neuro.pk, "direction": "breast_to_neuro", "status": "sent",
         "urgency": "orange", "due_at": due.astimezone(dt.UTC).isoformat(),
         "escalation_level": 1, "triggers": ["back_pain", "sins_7_or_more"]},
        {"id": to_breast.pk, "direction": "neuro_to_breast", "status": "raised",
         "urgency": None, "due_at": None, "escalation_level": 0, "triggers": []},
    ]
    with django_assert_num_queries(1):
        assert case_open_referrals(case_id=case.pk) == expected

    api = APIClient()
    api.force_authenticate(breast_surgeon)
    body = api.get(reverse("api-case", args=[case.pk])).json()
    assert [(row["id"], row["triggers"]) for row in body["open_referrals"]] == [
        (to_neuro.pk, ["back_pain", "sins_7_or_more"]), (to_breast.pk, [])]
    assert body["open_referrals"][0]["due_at"].startswith(
        due.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
