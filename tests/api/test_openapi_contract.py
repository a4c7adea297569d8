"""The OpenAPI contract is exact (issue 20): the schema validates with ``openapi-spec-validator``,
every nested object is a named component, "no value" is null and nullable, and every response of
a full API journey (clinicians' writes, the hospital system's reads, FHIR, webhooks, errors and
304s) validates against the schema with ``openapi-core``: the libraries, never our own code."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import Meeting
from tests.api.conftest import token_client
from tests.factories import STUDY, on_its_day

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory: Any, django_db_setup: None, django_db_blocker: Any) -> dict:
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                     "--file", str(path))
    return json.loads(path.read_text())


def test_the_schema_is_valid_openapi(schema: dict) -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    assert schema["openapi"] == "3.1.0"
    validate(schema, cls=OpenAPIV31SpecValidator)


def _nullable(prop: dict) -> bool:
    """OpenAPI 3.1: null is one of the types, or one of the alternatives."""
    types = prop.get("type")
    return (types == "null" or (isinstance(types, list) and "null" in types)
            or any(_nullable(item) or item.get("$ref", "").endswith("/NullEnum")
                   for item in prop.get("oneOf", []) + prop.get("anyOf", [])))


def _untyped(node: Any, where: str) -> Iterator[str]:
    """Objects with no properties of their own (a generated client sees a bare dict)."""
    if isinstance(node, dict):
        if (node.get("type") == "object" and "properties" not in node
                and node.get("additionalProperties") in ({}, True, None)):
            yield where
        for key, value in node.items():
            yield from _untyped(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _untyped(value, f"{where}[{index}]")


#: Free-form by nature, documented as such: the scoring API's inputs and results are the
#: calculators' own documents (typed under Score*), a webhook payload's ``data`` and a FHIR
#: resource are typed by their own specifications.
FREE_FORM = ("Assessment/properties/inputs", "Assessment/properties/result",
             "WebhookDelivery/properties/payload", "FhirResource",
             "ScoreEvaluationResponse/properties/timing",
             "ScoreEvaluationResponse/properties/candidacy", "FieldErrors")


def test_every_nested_object_of_the_case_status_is_a_named_component(schema: dict) -> None:
    components = schema["components"]["schemas"]
    detail = components["CaseDetail"]["properties"]
    for name in ("clinical", "care_team", "latest_assessment", "next_meeting", "last_decision"):
        prop = detail[name]
        ref = prop.get("$ref") or next(
            (item["$ref"] for item in prop.get("allOf", []) + prop.get("oneOf", [])
             if "$ref" in item), None)
        assert ref, (name, prop)
        assert components[ref.rsplit("/", 1)[1]]["properties"], name
    assert "$ref" in detail["open_referrals"]["items"]
    for name in ("next_meeting", "last_decision", "latest_assessment"):
        assert _nullable(detail[name]), name
    decision = components["AgendaItem"]["properties"]["decision"]
    assert any("$ref" in item for item in decision.get("allOf", []) + decision.get("oneOf", [])) \
        or "$ref" in decision, decision
    leftovers = [where for where in _untyped(components, "components")
                 if not any(part in where for part in FREE_FORM)]
    assert leftovers == []


def test_no_value_is_null_and_nullable(schema: dict) -> None:
    components = schema["components"]["schemas"]
    for component, prop in [("AssessmentSummary", "urgency"), ("Decision", "urgency"),
                            ("AgendaItem", "urgency"), ("AgendaItem", "max_bilsky"),
                            ("CaseClinical", "frankel"), ("CaseLastDecision", "urgency"),
                            ("CaseOpenReferral", "urgency")]:
        field = components[component]["properties"][prop]
        assert _nullable(field), (component, prop, field)


def test_errors_etag_retry_after_and_fhir_media_types_are_documented(schema: dict) -> None:
    case = schema["paths"]["/api/v1/cases/{case_id}/"]["get"]["responses"]
    assert "ETag" in case["200"]["headers"] and "ETag" in case["304"]["headers"]
    assert case["404"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorDetail")
    assert "Retry-After" in case["429"]["headers"] and "Retry-After" in case["503"]["headers"]
    patient = schema["paths"]["/api/v1/fhir/Patient/{id}"]["get"]["responses"]
    assert list(patient["200"]["content"]) == ["application/fhir+json"]
    assert {"ETag", "Last-Modified"} <= set(patient["200"]["headers"])
    for code in ("400", "401", "403", "404", "406", "429"):
        assert list(patient[code]["content"]) == ["application/fhir+json"], code
    search = schema["paths"]["/api/v1/fhir/Patient"]["get"]["responses"]
    assert list(search["200"]["content"]) == ["application/fhir+json"]


# --- every answer of a journey, validated by openapi-core ----------------------------------------


def _closed(schema: dict) -> dict:
    """The schema with every component object closed (``additionalProperties: false``): a field
    answered but not declared (which a generated client drops) fails validation too."""
    closed = copy.deepcopy(schema)
    for component in closed["components"]["schemas"].values():
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
    return closed


class Checked:
    """Every answer goes through openapi-core's response validation; failures are collected."""

    def __init__(self, schema: dict) -> None:
        from openapi_core import Config, OpenAPI

        schema = _closed(schema)
        # FHIR answers are JSON under their own media type (application/fhir+json).
        self.api = OpenAPI.from_dict(schema, config=Config(
            extra_media_type_deserializers={
                "application/fhir+json": lambda value, **parameters: json.loads(value)}))
        self.failures: list[str] = []
        self.count = 0

    def __call__(self, response: Any, expect: int) -> Any:
        from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

        request = response.wsgi_request
        where = f"{request.method} {request.get_full_path()} -> {response.status_code}"
        assert response.status_code == expect, (where, getattr(response, "content", b"")[:500])
        self.count += 1
        try:
            self.api.validate_response(DjangoOpenAPIRequest(request),
                                       DjangoOpenAPIResponse(response))
        except Exception as error:
            causes = [type(error).__name__, str(error)[:300]]
            cause: BaseException | None = error
            while cause is not None:
                for sub in getattr(cause, "schema_errors", None) or []:
                    causes.append(f"{list(sub.absolute_path)}: {sub.message[:160]}")
                cause = cause.__cause__
            self.failures.append(f"{where}: {' | '.join(causes)[:1500]}")
        return response


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_answer_of_a_full_journey_matches_the_schema(
        schema: dict, world: SimpleNamespace, his: SimpleNamespace, breast_surgeon: Any,
        neurosurgeon: Any, coordinator: Any, breast_team: Any, spine_team: Any,
        mdt_team: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["93.184.216.0/24"]
    check = Checked(schema)
    alice, neuro, coord = _client(breast_surgeon), _client(neurosurgeon), _client(coordinator)
    his_client = token_client(his.raw)

    # A clinician opens a case, records a lesion and rescores it.
    created = check(alice.post(reverse("api-cases"), {
        "patient": {"mrn": "MRN-CONTRACT-1", "given_name": "Ada", "family_name": "Lovegood",
                    "birth_date": "1961-03-04", "sex": "female"},
        "primary_status": "known_breast", "breast_team": breast_team.pk,
        "spine_team": spine_team.pk, "mdt_team": mdt_team.pk, "er": True, "pr": True,
        "her2": False, "ki67": 10, "kps": 80, "frankel": "E", "extraspinal_bone_metastases": 1,
        "vertebral_metastases": 2, "visceral_metastases": "none"}, format="json"), 201).json()
    case_url = reverse("api-case", args=[created["id"]])
    check(alice.get(case_url), 200)
    study = {**STUDY, "imaging_date": str(STUDY["imaging_date"]), "levels": ["T7"]}
    check(alice.post(reverse("api-case-lesions", args=[created["id"]]), study, format="json"),
          201)
    check(alice.post(reverse("api-case-assessments", args=[created["id"]]), {}, format="json"),
          201)
    current = check(alice.get(case_url), 200).json()
    check(alice.patch(case_url, {"kps": 70, "version": current["version"]}, format="json"), 200)
    check(alice.patch(case_url, {"kps": 70, "version": 1}, format="json"), 409)
    check(alice.patch(case_url, {"kps": 900}, format="json"), 400)
    check(alice.get(reverse("api-case-timeline", args=[created["id"]])), 200)
    check(alice.post(reverse("api-case-transitions", args=[created["id"]]),
                     {"to_phase": "surgery", "reason": "x"}, format="json"), 409)

    # The neurosurgeon triages the referral it raised.
    referrals = check(neuro.get(reverse("api-referrals")), 200).json()["results"]
    mine = next(row for row in referrals if row["case"] == created["id"])
    check(neuro.get(reverse("api-referral", args=[mine["id"]])), 200)
    check(neuro.post(reverse("api-referral-acknowledge", args=[mine["id"]]), {},
                     format="json"), 200)
    check(neuro.post(reverse("api-referral-accept", args=[mine["id"]]), {}, format="json"), 200)
    check(neuro.post(reverse("api-referral-accept", args=[mine["id"]]), {}, format="json"), 409)
    check(neuro.get(reverse("api-alerts")), 200)

    # The coordinator runs a meeting for it (the world's meeting is finalized already).
    meeting = check(coord.post(reverse("api-meetings"), {
        "mdt_team": mdt_team.pk, "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        "chair": neurosurgeon.pk, "coordinator": coordinator.pk,
        "place": "Room 2", "attendees": [breast_surgeon.pk]}, format="json"), 201).json()
    check(coord.post(reverse("api-meeting-agenda-populate", args=[meeting["id"]]), {},
                     format="json"), 200)
    agenda = check(coord.get(reverse("api-meeting-agenda", args=[meeting["id"]])), 200).json()
    check(coord.post(reverse("api-meeting-lock", args=[meeting["id"]]), {}, format="json"), 200)
    # Not before its day (409, a documented error body); then its day comes.
    check(coord.post(reverse("api-meeting-start", args=[meeting["id"]]), {}, format="json"), 409)
    on_its_day(Meeting.objects.get(pk=meeting["id"]))
    check(coord.post(reverse("api-meeting-start", args=[meeting["id"]]), {}, format="json"), 200)
    for item in agenda:
        check(coord.post(reverse("api-meeting-item-decision", args=[meeting["id"], item["id"]]),
                         {"pathway": "cebrt", "responsible": neurosurgeon.pk,
                          "rationale": "Radiosensitive.", "override_reason": "board's choice"},
                         format="json"), 200)
    check(coord.get(reverse("api-meeting", args=[meeting["id"]])), 200)
    check(coord.get(reverse("api-meetings")), 200)

    # The hospital system polls, revalidates and reads FHIR; it registers a webhook.
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    listed = check(his_client.get(reverse("api-cases"), {"updated_since": since}), 200).json()
    check(his_client.get(listed["poll"]), 200)
    check(his_client.get(reverse("api-cases"), {"updated_since": "yesterday"}), 400)
    seen = check(his_client.get(reverse("api-case", args=[world.case.pk])), 200)
    check(his_client.get(reverse("api-case", args=[world.case.pk]),
                         HTTP_IF_NONE_MATCH=seen["ETag"]), 304)
    check(his_client.get(reverse("api-case", args=[10**9])), 404)
    check(his_client.get(reverse("api-referrals")), 200)
    check(his_client.get(reverse("api-referral", args=[world.referral.pk])), 200)
    check(his_client.get(reverse("api-meeting", args=[world.meeting.pk])), 200)
    check(his_client.get(reverse("api-meeting-agenda", args=[world.meeting.pk])), 200)
    check(his_client.post(reverse("api-case-assessments", args=[world.case.pk]), {},
                          format="json"), 403)
    check(APIClient().get(reverse("api-cases")), 401)
    check(his_client.get("/api/v1/ping/"), 200)
    fhir = {"HTTP_ACCEPT": "application/fhir+json"}
    check(his_client.get("/api/v1/fhir/metadata", **fhir), 200)
    check(his_client.get(f"/api/v1/fhir/Patient/{world.patient.pk}", **fhir), 200)
    check(his_client.get("/api/v1/fhir/Patient", {"_id": world.patient.pk}, **fhir), 200)
    check(his_client.get("/api/v1/fhir/Patient/999999999", **fhir), 404)
    check(his_client.get("/api/v1/fhir/Patient", {"_count": "many"}, **fhir), 400)
    check(his_client.get(reverse("api-case-fhir", args=[world.case.pk]), **fhir), 200)
    hook = check(his_client.post(reverse("api-webhooks"), {
        "url": "https://93.184.216.34/hook", "events": ["decision.finalized"]}, format="json"),
        201).json()
    check(his_client.get(reverse("api-webhooks")), 200)
    check(his_client.get(reverse("api-webhook", args=[hook["id"]])), 200)
    check(his_client.post(reverse("api-webhook-rotate-secret", args=[hook["id"]])), 200)
    check(his_client.get(reverse("api-webhook-deliveries", args=[hook["id"]])), 200)
    check(his_client.delete(reverse("api-webhook", args=[hook["id"]])), 204)

    assert check.count >= 45
    assert check.failures == [], "\n".join(check.failures)
