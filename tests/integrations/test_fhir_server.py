"""The FHIR R4 server as a client sees it: FHIR JSON negotiation, CapabilityStatement, searchset
Bundles with paging, OperationOutcome for every error, ETag/Last-Modified, the access rule and a
constant number of queries per search page. Resources validate with fhir.resources (R4B models,
R4-compatible)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome

from integrations.fhir import codes
from integrations.fhir.search import MAX_COUNT, PARAMS
from tests.api.conftest import token_client
from tests.factories import make_mdt_case

pytestmark = pytest.mark.django_db

FHIR = "/api/v1/fhir"
KINDS = ("Patient", "Condition", "Observation", "ServiceRequest", "Task", "CarePlan")


def fhir_get(client, url, params=None, **extra):
    return client.get(url, params or {}, HTTP_ACCEPT="application/fhir+json", **extra)


def assert_outcome(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    return body


def test_metadata_states_exactly_the_types_interactions_and_search_parameters(client) -> None:
    response = fhir_get(client, f"{FHIR}/metadata")  # public, as clients read it first
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    body = response.json()
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1" and "application/fhir+json" in body["format"]
    served = {entry["type"]: entry for entry in body["rest"][0]["resource"]}
    assert set(served) == {*KINDS, "CodeSystem"}
    for kind in KINDS:
        assert {p["name"] for p in served[kind]["searchParam"]} == set(PARAMS[kind])
        assert [i["code"] for i in served[kind]["interaction"]] == ["read", "search-type"]
    assert {"patient", "status", "owner", "_lastUpdated"} <= set(PARAMS["Task"])
    assert {"patient", "code", "category", "date"} <= set(PARAMS["Observation"])
    # Both kinds of Task: the triage of a referral and the follow-through tasks (ft-<id>).
    assert "ft-<task id>" in served["Task"]["documentation"]


@pytest.mark.parametrize("accept", ["application/fhir+json", "application/json",
                                    "application/json+fhir", "*/*",
                                    "text/html, application/fhir+json;q=0.9"])
def test_fhir_json_is_answered_to_what_fhir_clients_accept(api_client, world, breast_surgeon,
                                                            accept) -> None:
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-fhir-patient", args=[world.patient.pk])
    response = api_client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"


def test_format_overrides_accept_and_other_formats_are_406_outcomes(api_client, world,
                                                                     breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-fhir-patient", args=[world.patient.pk])
    for fmt in ("json", "application/fhir+json"):
        assert api_client.get(url, {"_format": fmt}, HTTP_ACCEPT="text/html").status_code == 200
    assert_outcome(api_client.get(url, HTTP_ACCEPT="application/fhir+xml"), 406)
    assert_outcome(api_client.get(url, {"_format": "xml"}), 406)
    assert_outcome(api_client.get(f"{FHIR}/Patient", {"_format": "xml"}), 406)


def test_every_error_is_an_operation_outcome_never_html(api_client, client, world,
                                                        breast_surgeon) -> None:
    anonymous = assert_outcome(fhir_get(client, f"{FHIR}/Patient"), 401)
    assert anonymous["issue"][0]["code"] == "login"
    assert fhir_get(client, f"{FHIR}/Patient")["WWW-Authenticate"] == "Token"
    api_client.force_authenticate(breast_surgeon)
    for url in (f"{FHIR}/Patient/999999", f"{FHIR}/Observation/sins-9-999999",
                f"{FHIR}/Condition/primary-999999", f"{FHIR}/Observation/x",
                f"{FHIR}/Practitioner/1", f"{FHIR}/Patient/abc", f"{FHIR}/nothing/here"):
        assert assert_outcome(fhir_get(api_client, url), 404)["issue"][0]["code"] == "not-found"
    bad = assert_outcome(fhir_get(api_client, f"{FHIR}/Patient", {"name": "x"}), 400)
    assert bad["issue"][0]["expression"] == ["name"] and "'name'" in bad["issue"][0]["diagnostics"]
    for params, name in (({"_lastUpdated": "2026-02-30"}, "_lastUpdated"),
                         ({"_count": "many"}, "_count"), ({"patient": "Group/1"}, "patient"),
                         ({"date": "9999-12-31T23:59:59-23:59"}, "date"),
                         ({"code:text": "SINS"}, "code:text")):
        kind = "Observation" if name in ("date", "code:text", "patient") else "Patient"
        body = assert_outcome(fhir_get(api_client, f"{FHIR}/{kind}", params), 400)
        assert body["issue"][0]["expression"] == [name]
    # Refused before any view (tumorboard.inputguard), still as an OperationOutcome.
    assert_outcome(fhir_get(api_client, f"{FHIR}/Patient", {"identifier": "a\x00b"}), 400)
    assert_outcome(api_client.post(f"{FHIR}/Patient", {}, format="json",
                                   HTTP_ACCEPT="application/fhir+json"), 405)


def test_a_read_has_etag_and_last_modified_from_its_meta_and_answers_304(
        api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-fhir-servicerequest", args=[world.referral.pk])
    response = fhir_get(api_client, url)
    meta = response.json()["meta"]
    assert response["ETag"] == f'W/"{meta["versionId"]}"'
    assert response["Last-Modified"].endswith("GMT") and meta["lastUpdated"]
    assert fhir_get(api_client, url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    world.referral.urgency_rationale = "changed"
    world.referral.save()
    changed = fhir_get(api_client, url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != response["ETag"]


def test_every_type_searches_to_a_valid_searchset_of_valid_resources(api_client, world,
                                                                     breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    for kind in KINDS:
        response = fhir_get(api_client, f"{FHIR}/{kind}", {"patient": world.patient.pk}
                            if kind != "Patient" else {"_id": world.patient.pk})
        assert response.status_code == 200, (kind, response.content[:300])
        body = response.json()
        Bundle.model_validate(body)  # validates each entry's resource too
        assert body["type"] == "searchset" and body["total"] >= 1, kind
        assert {entry["resource"]["resourceType"] for entry in body["entry"]} == {kind}
        assert body["entry"][0]["fullUrl"].startswith("http://testserver/api/v1/fhir/")


def test_count_pages_with_next_and_previous_links_until_every_match_is_seen(
        api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    seen, url = [], f"{FHIR}/Observation?patient=Patient/{world.patient.pk}&_count=4"
    total = None
    while url:
        body = fhir_get(api_client, url).json()
        total = body["total"]
        seen += [entry["resource"]["id"] for entry in body["entry"]]
        assert len(body["entry"]) <= 4
        links = {link["relation"]: link["url"] for link in body["link"]}
        assert ("previous" in links) == (len(seen) > len(body["entry"]))
        url = links.get("next", "").removeprefix("http://testserver")
    assert total is not None and total > 4 and len(seen) == total == len(set(seen))
    capped = fhir_get(api_client, f"{FHIR}/Observation", {"_count": 10**6}).json()
    assert f"_count={MAX_COUNT}&" in capped["link"][0]["url"]  # a server may lower _count


def test_search_parameters_filter(api_client, world, breast_surgeon, settings) -> None:
    api_client.force_authenticate(breast_surgeon)

    def ids(kind, **params):
        body = fhir_get(api_client, f"{FHIR}/{kind}", params).json()
        return [entry["resource"]["id"] for entry in body["entry"]]

    patient, pid = world.patient, str(world.patient.pk)
    system = codes.mrn_system(patient.institution.code)
    assert ids("Patient", identifier=f"{system}|{patient.mrn}") == [pid]
    assert ids("Patient", identifier=patient.mrn) == [pid]
    assert ids("Patient", identifier=f"http://elsewhere.example/mrn|{patient.mrn}") == []
    assert ids("Patient", _lastUpdated="gt2999-01-01") == []
    assert ids("Patient", _lastUpdated=f"le{patient.updated_at.year + 1}") == [pid]
    # One Karnofsky Observation per assessment of the case (each edit stores a current one).
    assert ids("Observation", patient=pid, code="http://loinc.org|89243-0") == [
        f"kps-{pk}" for pk in world.case.assessments.order_by("pk").values_list("pk", flat=True)]
    assert set(ids("Observation", patient=pid, category="laboratory")) == {
        f"{kind}-{pk}" for kind in ("er", "pr", "her2", "ki67")
        for pk in world.case.assessments.values_list("pk", flat=True)}
    day = world.assessment.evaluated_at.date().isoformat()
    assert len(ids("Observation", patient=pid, date=day)) > 5
    assert ids("Observation", patient=pid, date="lt2000") == []
    assert ids("ServiceRequest", patient=pid, status="completed") == [str(world.referral.pk)]
    assert ids("ServiceRequest", patient=pid, status="draft") == []
    team = world.referral.receiving_team_id
    assert ids("Task", patient=pid, owner=f"CareTeam/{team}", status="completed") == [
        str(world.referral.pk)]
    assert ids("Task", owner=str(team + 1000)) == []
    assert ids("CarePlan", patient=f"Patient/{pid}") == [str(world.decision.pk)]
    assert ids("CarePlan", patient=pid, _lastUpdated="lt2000") == []
    assert ids("Condition", patient=pid) == [f"primary-{world.case.pk}",
                                            f"secondary-{world.case.pk}"]


def test_searches_show_only_what_the_caller_may_see(world, his, outsider, admin_person,
                                                    api_client) -> None:
    from rest_framework.test import APIClient

    client = token_client(his.raw)
    for kind in KINDS:
        assert fhir_get(client, f"{FHIR}/{kind}").json()["total"] >= 1, kind
    api_client.force_authenticate(outsider)
    admin = APIClient()
    admin.force_authenticate(admin_person)  # administrators see no patient data here
    his.user.integration_grants.all().delete()
    for who in (client, api_client, admin):
        for kind in KINDS:
            body = fhir_get(who, f"{FHIR}/{kind}", {"patient": world.patient.pk}
                            if kind != "Patient" else {}).json()
            assert body["total"] == 0 and body.get("entry", []) == [], kind
        url = reverse("api-fhir-condition", args=[f"primary-{world.case.pk}"])
        assert_outcome(fhir_get(who, url), 404)


def test_a_search_page_runs_a_constant_number_of_queries(
        api_client, world, breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
        django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(breast_surgeon)

    def queries(kind: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert fhir_get(api_client, f"{FHIR}/{kind}").status_code == 200
        return len(captured)

    few = {kind: queries(kind) for kind in KINDS}
    teams = {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}
    for _ in range(3):
        make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    for kind in KINDS:
        with django_assert_max_num_queries(few[kind]):
            body = fhir_get(api_client, f"{FHIR}/{kind}").json()
        # Every new case has its patient, conditions, assessment and referral (no decision).
        assert body["total"] >= (1 if kind == "CarePlan" else 4), kind


def test_the_spine_score_code_system_is_served_at_its_canonical_url(client, settings) -> None:
    settings.FHIR_CANONICAL_BASE = "https://fhir.hospital.example/tumorboard"
    body = fhir_get(client, reverse("api-fhir-codesystem")).json()
    CodeSystem.model_validate(body)
    assert body["url"] == "https://fhir.hospital.example/tumorboard/CodeSystem/spine-scores"
    assert {"sins", "bilsky", "noms", "tokuhashi-revised", "tomita"} <= {
        concept["code"] for concept in body["concept"]}
    settings.FHIR_CANONICAL_BASE = "http://testserver/api/v1/fhir"  # the default's shape
    assert fhir_get(client, reverse("api-fhir-codesystem")).json()["url"] == (
        f"http://testserver{reverse('api-fhir-codesystem')}")
