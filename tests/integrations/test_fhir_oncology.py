"""Oncology content aligned with mCODE: the cancer conditions, tumour markers, ECOG and KPS as
their own Observations, the spine scores under the service's CodeSystem, meta.profile, the MRN
with its MR type and a configurable system. Every resource validates against R4 (R4B models)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from cases.models import Case, SpinalLesion
from integrations.fhir import codes, oncology, resources

pytestmark = pytest.mark.django_db


def observations(world) -> dict[str, dict]:
    found = oncology.assessment_observations(world.assessment, world.case)
    for resource in found:
        Observation.model_validate(resource)
    return {resource["id"].rsplit("-", 1)[0] if "-" in resource["id"] else "panel": resource
            for resource in found}


def test_the_primary_and_secondary_cancer_conditions(world) -> None:
    case = world.case
    primary, secondary = oncology.conditions(case, SpinalLesion.objects.filter(case=case))
    for resource in (primary, secondary):
        Condition.model_validate(resource)
    assert primary["code"]["coding"][0] == {"system": "http://snomed.info/sct",
                                            "code": "372137005",
                                            "display": "Primary malignant neoplasm of breast"}
    assert primary["meta"]["profile"] == [codes.PROFILE_PRIMARY]
    assert primary["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert secondary["code"]["coding"][0]["code"] == "94222008"
    assert secondary["meta"]["profile"] == [codes.PROFILE_SECONDARY]
    levels = [level for lesion in case.lesions.all() for level in lesion.levels]
    assert [site["text"] for site in secondary["bodySite"]] == [f"{lv} vertebra" for lv in levels]


def test_a_suspected_primary_is_provisional_and_an_unknown_one_is_not_invented(world) -> None:
    case = Case.objects.get(pk=world.case.pk)
    case.primary_status = "suspected_breast"
    assert oncology.conditions(case, [])[0]["verificationStatus"]["coding"][0]["code"] == (
        "provisional")
    case.primary_status = "unknown"
    assert oncology.conditions(case, []) == []  # nor a secondary before any lesion


def test_tumour_markers_are_mcode_tumor_marker_tests(world) -> None:
    found = observations(world)
    receptors = world.assessment.inputs["patient"]["receptors"]
    for key, loinc in (("er", "85337-4"), ("pr", "85339-0"), ("her2", "48676-1")):
        marker = found[key]
        assert marker["code"]["coding"][0] == {**marker["code"]["coding"][0],
                                               "system": "http://loinc.org", "code": loinc}
        assert marker["meta"]["profile"] == [codes.PROFILE_TUMOR_MARKER]
        assert marker["category"][0]["coding"][0]["code"] == "laboratory"
        expected = "10828004" if receptors[key] else "260385009"
        assert marker["valueCodeableConcept"]["coding"][0]["code"] == expected
    assert found["ki67"]["valueQuantity"] == {"value": receptors["ki67"], "unit": "%",
                                              "system": "http://unitsofmeasure.org", "code": "%"}


def test_ecog_and_karnofsky_are_their_own_observations_with_their_loinc_codes(world) -> None:
    assessment = world.assessment
    assessment.inputs["patient"]["ecog"] = 1
    found = observations(world)
    assert found["kps"]["code"]["coding"][0]["code"] == "89243-0"
    assert found["kps"]["valueInteger"] == assessment.inputs["patient"]["kps"]
    assert found["kps"]["meta"]["profile"] == [codes.PROFILE_KARNOFSKY]
    assert found["ecog"]["code"]["coding"][0]["code"] == "89247-1"
    assert found["ecog"]["valueInteger"] == 1
    assert found["ecog"]["meta"]["profile"] == [codes.PROFILE_ECOG]


def test_the_spine_scores_are_observations_under_the_service_code_system(world) -> None:
    found = observations(world)
    result = world.assessment.result
    lesion = result["lesions"][0]
    sins = found["sins-0"]
    assert sins["code"]["coding"][0]["system"] == codes.scores_system()
    assert sins["valueInteger"] == lesion["sins"]["total"]
    assert {c["code"]["coding"][0]["code"]: c["valueInteger"] for c in sins["component"]} == {
        f"sins-{name.replace('_', '-')}": points
        for name, points in lesion["sins"]["components"].items()}
    assert sins["bodySite"]["text"] == f"{lesion['levels'][0]} vertebra"
    assert found["bilsky-0"]["valueString"] == lesion["bilsky"]["grade"]
    noms = found["noms"]
    assert noms["valueString"] == result["noms"]["pathway"]
    assert {c["code"]["coding"][0]["code"] for c in noms["component"]} == {
        "noms-neurological", "noms-oncological", "noms-mechanical", "noms-systemic"}
    assert found["tokuhashi-revised"]["valueInteger"] == result["tokuhashi"]["total"]
    assert found["tomita"]["valueInteger"] == result["tomita"]["total"]
    members = {ref["reference"] for ref in found["panel"]["hasMember"]}
    assert members == {f"Observation/{r['id']}" for k, r in found.items() if k != "panel"}
    for code in [resource["code"] for resource in found.values()]:
        if code["coding"][0]["system"] == codes.scores_system():
            assert code["coding"][0]["code"] in codes.SCORE_CONCEPTS


def test_every_observation_is_readable_by_its_id(api_client, world, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    for resource in oncology.assessment_observations(world.assessment, world.case):
        response = api_client.get(reverse("api-fhir-observation", args=[resource["id"]]))
        assert response.status_code == 200 and response.json() == resource


def test_the_mrn_has_the_mr_type_and_a_system_under_the_configured_canonical_base(
        world, settings) -> None:
    settings.FHIR_CANONICAL_BASE = "https://fhir.hospital.example/tb"
    resource = resources.patient(world.patient)
    Patient.model_validate(resource)
    identifier = resource["identifier"][0]
    assert identifier["type"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR",
        "display": "Medical record number"}
    assert identifier["system"] == (
        f"https://fhir.hospital.example/tb/NamingSystem/mrn/{world.patient.institution.code}")
    assert resource["meta"]["profile"] == [codes.PROFILE_PATIENT]
    for resource in oncology.assessment_observations(world.assessment, world.case):
        for coding in resource["code"]["coding"]:
            assert "tumorboard.local" not in coding["system"]


def test_the_case_bundle_holds_the_conditions_and_every_observation(api_client, world,
                                                                    breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    bundle = api_client.get(reverse("api-case-fhir", args=[world.case.pk])).json()
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert {("Condition", f"primary-{world.case.pk}"),
            ("Condition", f"secondary-{world.case.pk}")} <= ids
    assert {("Observation", r["id"]) for r in oncology.assessment_observations(
        world.assessment, world.case)} <= ids
