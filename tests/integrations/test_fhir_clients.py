"""Standard FHIR clients the project did not write (fhirclient, fhirpy from PyPI) read and search
the live server with an integration client's token, and see only that client's granted cases."""

from __future__ import annotations

import pytest
from fhirclient import client as smart_client
from fhirclient.models.condition import Condition as SmartCondition
from fhirclient.models.observation import Observation as SmartObservation
from fhirclient.models.patient import Patient as SmartPatient
from fhirclient.server import FHIRNotFoundException
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ResourceNotFound

from tests.factories import make_mdt_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_case(outsider, neurosurgeon, spine_team, mdt_team):
    """Another breast team's case: the integration client is granted the world's breast team
    only."""
    teams = {"breast_team": outsider.teams.get(), "spine_team": spine_team, "mdt_team": mdt_team}
    return make_mdt_case(breast_surgeon=outsider, neurosurgeon=neurosurgeon, teams=teams)


def smart(live_server, raw: str) -> smart_client.FHIRClient:
    fhir = smart_client.FHIRClient(settings={"app_id": "tumorboard-tests",
                                             "api_base": f"{live_server.url}/api/v1/fhir/"})
    fhir.server.session.headers["Authorization"] = f"Token {raw}"
    return fhir


def test_fhirclient_reads_and_searches_the_granted_cases_only(live_server, world, his,
                                                              other_case) -> None:
    server = smart(live_server, his.raw).server
    patient = SmartPatient.read(str(world.patient.pk), server)
    assert patient.identifier[0].value == world.patient.mrn
    assert patient.identifier[0].type.coding[0].code == "MR"
    found = list(SmartPatient.where(struct={}).perform_resources_iter(server))
    assert [p.id for p in found] == [str(world.patient.pk)]  # not other_case's patient
    kps = list(SmartObservation.where(struct={"patient": str(world.patient.pk),
                                         "code": "http://loinc.org|89243-0"}
                                 ).perform_resources_iter(server))
    assert sorted(o.valueInteger for o in kps) == sorted(  # one per assessment of the case
        a.inputs["patient"]["kps"] for a in world.case.assessments.all())
    conditions = list(SmartCondition.where(struct={"patient": str(world.patient.pk)}
                                      ).perform_resources_iter(server))
    assert {c.code.coding[0].code for c in conditions} == {"372137005", "94222008"}
    with pytest.raises(FHIRNotFoundException) as refused:
        SmartPatient.read(str(other_case.patient_id), server)
    assert refused.value.response.json()["resourceType"] == "OperationOutcome"


def test_fhirpy_reads_and_searches_the_granted_cases_only(live_server, world, his,
                                                          other_case) -> None:
    fhir = SyncFHIRClient(f"{live_server.url}/api/v1/fhir",
                          authorization=f"Token {his.raw}")
    patient = fhir.reference("Patient", str(world.patient.pk)).to_resource()
    assert patient["birthDate"] == world.patient.birth_date.isoformat()
    requests = fhir.resources("ServiceRequest").search(patient=world.patient.pk).fetch_all()
    assert [r.id for r in requests] == [str(world.referral.pk)]
    every = fhir.resources("Observation").search(patient=world.patient.pk).limit(3).fetch_all()
    assert len(every) > 3  # fetch_all follows the next links page by page
    assert fhir.resources("Patient").search(identifier=other_case.patient.mrn).fetch() == []
    assert fhir.resources("Patient").fetch_all()[0].id == str(world.patient.pk)
    with pytest.raises(ResourceNotFound):
        fhir.reference("Patient", str(other_case.patient_id)).to_resource()
