"""Access: a referral or alert is visible only with its case; an outsider gets 404 everywhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals.models import Alert
from referrals.states import PERSON_ACTIONS

pytestmark = pytest.mark.django_db


def _api_urls(referral, alert):
    yield "get", reverse("api-referral", args=[referral.pk])
    for action in PERSON_ACTIONS:
        yield "post", reverse(f"api-referral-{action}", args=[referral.pk])
    yield "post", reverse("api-referral-workup-tick", args=[referral.pk, "history"])
    yield "post", reverse("api-alert-ack", args=[alert.pk])


def _page_urls(referral, alert):
    yield "get", reverse("referrals:referral-detail", args=[referral.pk])
    for action in PERSON_ACTIONS:
        yield "post", reverse("referrals:referral-act", args=[referral.pk, action])
    yield "post", reverse("referrals:workup-tick", args=[referral.pk, "history"])
    yield "post", reverse("referrals:alert-ack", args=[alert.pk])


def test_an_outsider_gets_404_on_every_referral_and_alert_endpoint(referral, dave, outsider,
                                                                    api_client) -> None:
    alert = Alert.objects.get(recipient=dave)
    api_client.force_authenticate(outsider)
    for method, url in _api_urls(referral, alert):
        response = getattr(api_client, method)(url, {"reason": "x"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert len(api_client.get(reverse("api-referrals")).json()["results"]) == 0
    assert len(api_client.get(reverse("api-alerts")).json()["results"]) == 0
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_an_outsider_gets_404_on_every_referral_page(referral, dave, outsider, client) -> None:
    alert = Alert.objects.get(recipient=dave)
    client.force_login(outsider)
    for method, url in _page_urls(referral, alert):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    response = client.get(reverse("referrals:referral-list"))
    assert response.status_code == 200
    assert not response.context["incoming"] and not response.context["outgoing"]


@pytest.mark.parametrize("persona", ["breast_surgeon", "neurosurgeon", "coordinator"])
def test_the_care_team_sees_the_referral(persona, referral, request, api_client, client):
    user = request.getfixturevalue(persona)
    api_client.force_authenticate(user)
    assert api_client.get(reverse("api-referral", args=[referral.pk])).status_code == 200
    assert len(api_client.get(reverse("api-referrals")).json()["results"]) == 1
    client.force_login(user)
    assert client.get(reverse("referrals:referral-detail", args=[referral.pk])).status_code == 200


def test_an_alert_is_its_recipients_only(referral, dave, neurosurgeon, api_client) -> None:
    alert = Alert.objects.get(recipient=dave)
    api_client.force_authenticate(neurosurgeon)  # same team, not the recipient
    assert api_client.post(reverse("api-alert-ack", args=[alert.pk])).status_code == 404
    assert len(api_client.get(reverse("api-alerts")).json()["results"]) == 0
    api_client.force_authenticate(dave)
    response = api_client.post(reverse("api-alert-ack", args=[alert.pk]))
    assert response.status_code == 200 and response.json()["acknowledged_at"]


def test_the_list_filters_and_rejects_bad_values(referral, neurosurgeon, api_client) -> None:
    api_client.force_authenticate(neurosurgeon)
    url = reverse("api-referrals")
    assert len(api_client.get(url, {"direction": "breast_to_neuro"}).json()["results"]) == 1
    assert len(api_client.get(url, {"direction": "neuro_to_breast"}).json()["results"]) == 0
    assert len(api_client.get(url, {"urgency": "green", "status": "sent"}).json()["results"]) == 1
    assert len(api_client.get(url, {"overdue": "true"}).json()["results"]) == 0
    assert len(api_client.get(url, {"overdue": "false"}).json()["results"]) == 1
    later = api_client.get(url, {"updated_since": "2100-01-01T00:00:00Z"})
    assert len(later.json()["results"]) == 0
    for name, value in [("urgency", "purple"), ("status", "x"), ("updated_since", "yesterday")]:
        response = api_client.get(url, {name: value})
        assert response.status_code == 400 and name in response.json()


def test_flag_through_the_api(breast_surgeon, neurosurgeon, breast_team, spine_team,
                              api_client) -> None:
    from tests.factories import create_case

    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-referrals")
    bad = api_client.post(url, {"case": case.pk, "direction": "breast_to_neuro",
                                "trigger_codes": ["sins_7_or_more"]}, format="json")
    assert bad.status_code == 400 and "trigger_codes" in bad.json()
    assert api_client.post(url, {"case": 999999, "direction": "breast_to_neuro",
                                 "trigger_codes": ["back_pain"]},
                           format="json").json() == {"case": ["no such case among yours"]}
    response = api_client.post(url, {"case": case.pk, "direction": "breast_to_neuro",
                                     "trigger_codes": ["neurological_deficit"], "note": "weak"},
                               format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["urgency"] == "red"
    api_client.force_authenticate(neurosurgeon)  # not a breast surgeon: visible, refused
    response = api_client.post(url, {"case": case.pk, "direction": "breast_to_neuro",
                                     "trigger_codes": ["back_pain"]}, format="json")
    assert response.status_code == 403


def test_the_workup_is_ticked_through_the_api(neurosurgeon, breast_surgeon, breast_team,
                                              spine_team, api_client) -> None:
    from referrals.models import Referral
    from tests.factories import add_lesion, create_case

    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown")
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    referral = Referral.objects.get(case=case, direction="neuro_to_breast")
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-referral-workup-tick", args=[referral.pk, "pet_ct_or_bone_scan"])
    assert api_client.post(url).status_code == 200
    assert api_client.post(url).status_code == 400  # already done
    bad = reverse("api-referral-workup-tick", args=[referral.pk, "nope"])
    assert api_client.post(bad).status_code == 400
    detail = api_client.get(reverse("api-referral", args=[referral.pk])).json()
    done = [item["code"] for item in detail["workup_items"] if item["done_at"]]
    assert done == ["pet_ct_or_bone_scan"]
