"""FHIR R4 export: every resource and the case Bundle validate against the R4 models
(fhir.resources.R4B, which is R4-compatible; the package's default models are R5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from cases.models import AuditEvent
from integrations import fhir
from referrals.models import ReferralStatus
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

MODELS = {"Patient": Patient, "ServiceRequest": ServiceRequest, "Task": Task,
          "Observation": Observation, "CarePlan": CarePlan, "Bundle": Bundle,
          "Condition": Condition}


def urls(world):
    return {
        "Patient": reverse("api-fhir-patient", args=[world.patient.pk]),
        "ServiceRequest": reverse("api-fhir-servicerequest", args=[world.referral.pk]),
        "Task": reverse("api-fhir-task", args=[world.referral.pk]),
        "Observation": reverse("api-fhir-observation", args=[world.assessment.pk]),
        "CarePlan": reverse("api-fhir-careplan", args=[world.decision.pk]),
        "Bundle": reverse("api-case-fhir", args=[world.case.pk]),
    }


def test_every_resource_validates_as_fhir_r4(api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    for kind, url in urls(world).items():
        response = api_client.get(url)
        assert response.status_code == 200, (kind, response.content[:300])
        data = response.json()
        assert data["resourceType"] == kind
        MODELS[kind].model_validate(data)  # raises on any R4 violation


def test_the_bundle_holds_every_resource_of_the_case_and_each_validates(
        api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    bundle = api_client.get(reverse("api-case-fhir", args=[world.case.pk])).json()
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("Patient") == 1
    assert {"ServiceRequest", "Task", "Observation", "CarePlan"} <= set(kinds)
    for entry in bundle["entry"]:
        MODELS[entry["resource"]["resourceType"]].model_validate(entry["resource"])
        assert entry["fullUrl"].endswith(
            f"/api/v1/fhir/{entry['resource']['resourceType']}/{entry['resource']['id']}")


def test_the_referral_maps_status_intent_priority_reason_requester_performer(world) -> None:
    referral = world.referral
    assert fhir.service_request(referral, case=world.case)["status"] == "completed"  # closed
    referral.status = ReferralStatus.ACCEPTED
    resource = fhir.service_request(referral, case=world.case)
    assert resource["status"] == "active" and resource["intent"] == "order"
    assert resource["priority"] == "routine"  # green
    assert resource["reasonReference"][0]["reference"] == (
        f"Observation/{world.case.latest_assessment_id}")
    assert resource["requester"]["identifier"]["value"] == str(referral.sender_id)
    assert resource["performer"][0]["display"] == referral.receiving_team.name
    referral.urgency = "red"
    assert fhir.service_request(referral, case=world.case)["priority"] == "stat"
    referral.urgency = "orange"
    assert fhir.service_request(referral, case=world.case)["priority"] == "urgent"
    ServiceRequest.model_validate(resource)


@pytest.mark.parametrize(("state", "task_status"), [
    ("sent", "requested"), ("acknowledged", "received"), ("accepted", "accepted"),
    ("declined", "rejected"), ("info_requested", "on-hold"), ("closed", "completed"),
])
def test_the_triage_state_is_the_task_status_and_the_business_status(world, state,
                                                                      task_status) -> None:
    world.referral.status = state
    resource = fhir.task(world.referral, case=world.case)
    assert resource["status"] == task_status
    assert resource["businessStatus"]["coding"][0]["code"] == state
    Task.model_validate(resource)


def test_the_observation_has_the_spine_scores_as_components(world) -> None:
    resource = fhir.observation(world.assessment, case=world.case)
    codes = {c["code"]["coding"][0]["code"]: c["valueInteger"] for c in resource["component"]}
    assert codes["sins-max"] == world.assessment.max_sins
    assert codes["tokuhashi-revised"] == world.assessment.tokuhashi_total
    assert codes["tomita"] == world.assessment.tomita_total
    assert codes["89243-0"] == world.assessment.inputs["patient"]["kps"]  # LOINC KPS
    assert resource["code"]["coding"][0]["system"] == fhir.SCORES
    Observation.model_validate(resource)


def test_the_decision_is_an_active_care_plan_once_the_meeting_is_finalized(world) -> None:
    from meetings.models import Decision

    decision = Decision.objects.select_related("item__meeting").get(pk=world.decision.pk)
    resource = fhir.care_plan(decision, case=world.case)
    assert resource["status"] == "active" and resource["intent"] == "plan"
    assert resource["category"][0]["coding"][0]["code"] == "cebrt"
    CarePlan.model_validate(resource)


def test_an_outsider_gets_404_on_every_fhir_endpoint(api_client, world, outsider) -> None:
    api_client.force_authenticate(outsider)
    for kind, url in urls(world).items():
        assert api_client.get(url).status_code == 404, kind


def test_an_integration_client_reads_its_granted_teams_cases_only(world, his, outsider) -> None:
    client = token_client(his.raw)
    for kind, url in urls(world).items():
        assert client.get(url).status_code == 200, kind
    his.user.integration_grants.all().delete()
    for kind, url in urls(world).items():
        assert client.get(url).status_code == 404, kind


def test_every_export_is_in_the_audit_trail(api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    api_client.get(reverse("api-fhir-observation", args=[world.assessment.pk]))
    row = AuditEvent.objects.filter(action="export").latest("pk")
    assert row.case_id == world.case.pk and row.actor == breast_surgeon
