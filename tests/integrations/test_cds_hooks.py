"""CDS Hooks 2.0 driven as an EHR drives it: discovery, signed requests with and without
prefetch, the service's own data for a patient known here, and every request and answer checked
against the specification's JSON shapes (integrations/cdshooks/schemas.py)."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jsonschema
import pytest
from django.test import Client

from cases.models import AuditEvent
from integrations.cdshooks import schemas
from integrations.cdshooks.prefetch import neurology_system
from integrations.fhir import codes
from referrals.models import Referral
from tests.factories import PatientFactory, add_lesion, create_case
from tests.integrations import cds_ehr
from tests.integrations.cds_ehr import Ehr

pytestmark = pytest.mark.django_db
BASE = "http://testserver-cds.example"
SERVICE = "spine-referral-triggers"
ORDER = "spine-imaging-order"


@pytest.fixture
def ehr(tmp_path: Any, settings: Any, his: Any) -> Ehr:
    settings.SERVICE_BASE_URL = BASE
    settings.CDS_HOOKS_AUDIENCE = f"{BASE}/cds-services"
    settings.FHIR_CANONICAL_BASE = f"{BASE}/api/v1/fhir"
    the_ehr = Ehr(tmp_path)
    settings.CDS_HOOKS_JWKS = str(the_ehr.jwks_path)
    settings.CDS_HOOKS_ISSUERS = {cds_ehr.ISSUER: his.user.username}
    return the_ehr


def call(ehr: Ehr, body: Any, service: str = SERVICE, token: str | None = None,
         raw: bytes | None = None) -> Any:
    if raw is None:
        jsonschema.validate(body, schemas.REQUEST)  # the test EHR speaks the specification
    auth = token if token is not None else ehr.token(aud=f"{BASE}/cds-services/{service}")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {auth}"} if auth else {}
    response = Client().post(f"/cds-services/{service}", raw if raw is not None
                             else json.dumps(body), content_type="application/json", **headers)
    if response.status_code == 200:
        jsonschema.validate(response.json(), schemas.RESPONSE)
    return response


def scores() -> str:
    return f"{BASE}/api/v1/fhir/CodeSystem/spine-scores"


def prefetch(pid: str = "ehr-1", *, sins: int = 9, bilsky: str = "2", frankel: str | None = None,
             primary: str | None = "confirmed", mrn: str = "EHR-0001") -> dict[str, Any]:
    observations = [cds_ehr.score(pid, scores(), "sins", "T7", sins),
                    cds_ehr.score(pid, scores(), "bilsky", "T7", bilsky)]
    if frankel:
        observations.append(cds_ehr.frankel(pid, f"{BASE}/api/v1/fhir/CodeSystem/neurology",
                                            frankel))
    conditions = [cds_ehr.breast_primary(pid, primary)] if primary else []
    return {"patient": cds_ehr.patient(pid, system="urn:oid:1.2.3.4", mrn=mrn),
            "conditions": cds_ehr.bundle(*conditions),
            "observations": cds_ehr.bundle(*observations)}


def test_discovery_lists_both_hooks_with_their_prefetch(ehr: Ehr) -> None:
    response = Client().get("/cds-services")
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, schemas.DISCOVERY)
    hooks = {service["id"]: service["hook"] for service in body["services"]}
    assert hooks == {SERVICE: "patient-view", ORDER: "order-select"}
    for service in body["services"]:
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert "Observation?patient={{context.patientId}}" in service["prefetch"]["observations"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_prefetch_sins_9_and_bilsky_2_gives_an_urgent_card_with_a_service_request(
        ehr: Ehr) -> None:
    response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch()))
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    assert len(cards) == 1
    card = cards[0]
    # CLINICAL.md §8: SINS 7 or more and Bilsky 1a or more fire; §9: high-grade ESCC outside
    # HER2-enriched / triple-negative is orange (72 h).
    assert "sins_7_or_more" not in card["summary"]
    assert "SINS 9 at T7" in card["detail"] and "Bilsky 2 at T7" in card["detail"]
    assert "orange" in card["summary"] and "72 h" in card["summary"]
    assert card["indicator"] == "warning"
    assert card["links"][0]["url"] == f"{BASE}/cases/patients/new/"
    action = card["suggestions"][0]["actions"][0]
    request = action["resource"]
    assert action["type"] == "create" and request["resourceType"] == "ServiceRequest"
    assert request["subject"] == {"reference": "Patient/ehr-1"}
    assert request["requester"] == {"reference": "Practitioner/dr-1"}
    assert request["priority"] == "urgent"
    assert {c["coding"][0]["code"] for c in request["reasonCode"]} == {
        "sins_7_or_more", "epidural_extension"}
    assert "EHR-0001" not in response.content.decode()  # the MRN never comes back


def test_frankel_c_makes_the_card_critical(ehr: Ehr) -> None:
    response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch(sins=3, bilsky="0",
                                                                frankel="C")))
    card = response.json()["cards"][0]
    assert card["indicator"] == "critical"  # §9: a neurological deficit is red (24 h)
    assert "Frankel C" in card["detail"] and "24 h" in card["summary"]


def test_no_trigger_no_card(ehr: Ehr) -> None:
    response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch(sins=5, bilsky="0")))
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_no_spinal_lesion_in_the_prefetch_evaluates_nothing(ehr: Ehr) -> None:
    body = prefetch(primary=None)
    body["observations"] = cds_ehr.bundle()
    response = call(ehr, cds_ehr.patient_view("ehr-1", body))
    assert response.json() == {"cards": []}


def test_unknown_primary_with_a_spinal_lesion_refers_to_breast_oncology(ehr: Ehr) -> None:
    response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch(sins=4, bilsky="0",
                                                                primary=None)))
    cards = response.json()["cards"]
    assert len(cards) == 1 and "breast oncology" in cards[0]["summary"]
    assert cards[0]["indicator"] == "warning"  # §9: occult primary is orange


def test_a_known_patient_is_read_from_the_service_and_links_to_its_referral(
        ehr: Ehr, breast_surgeon: Any, teams: Any, his: Any, settings: Any) -> None:
    settings.CDS_HOOKS_MRN_SYSTEMS = {"urn:oid:1.2.3.4": breast_surgeon.institution.code}
    patient = PatientFactory(institution=breast_surgeon.institution, mrn="KNOWN-7")
    case = create_case(actor=breast_surgeon, patient=patient, **teams)
    add_lesion(case, actor=breast_surgeon, levels=["L2"], bilsky="1c")
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    # Only the Patient prefetched: the service's own data decides.
    body = cds_ehr.patient_view("ehr-9", {"patient": cds_ehr.patient(
        "ehr-9", system="urn:oid:1.2.3.4", mrn="known-7")})
    response = call(ehr, body)
    assert response.status_code == 200, response.content
    card = response.json()["cards"][0]
    assert "Bilsky 1c at L2" in card["detail"]
    assert card["links"][0]["url"] == f"{BASE}/referrals/{referral.pk}/"
    assert "suggestions" not in card  # the referral is already open here
    row = AuditEvent.objects.filter(object_type="cds_hook").latest("pk")  # a read is unlinked yet
    assert row.case_id == case.pk and row.actor_id == his.user.pk
    assert row.detail["source"] == "service" and row.detail["cards"] == 1


def test_without_prefetch_the_patient_is_fetched_from_the_ehr_fhir_server(
        ehr: Ehr, breast_surgeon: Any, teams: Any, settings: Any) -> None:
    settings.CDS_HOOKS_MRN_SYSTEMS = {"urn:oid:1.2.3.4": breast_surgeon.institution.code}
    patient = PatientFactory(institution=breast_surgeon.institution, mrn="FETCH-1")
    case = create_case(actor=breast_surgeon, patient=patient, **teams)
    seen: list[str] = []

    class Fhir(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('Authorization')}")
            data = json.dumps(cds_ehr.patient("ehr-5", system="urn:oid:1.2.3.4",
                                              mrn="FETCH-1")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Fhir)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        body = cds_ehr.patient_view("ehr-5", fhirServer=f"http://127.0.0.1:{server.server_port}",
                                    fhirAuthorization={"access_token": "abc", "token_type":
                                                       "Bearer", "expires_in": 300,
                                                       "scope": "patient/Patient.read",
                                                       "subject": "cds-service"})
        response = call(ehr, body)
    finally:
        server.shutdown()
    assert seen == ["/Patient/ehr-5 Bearer abc"]
    assert response.status_code == 200, response.content
    # The case as stored: a known breast primary without a lesion fires nothing yet.
    assert response.json() == {"cards": []}
    row = AuditEvent.objects.filter(object_type="cds_hook").latest("pk")  # a read is unlinked yet
    assert row.case_id == case.pk


def test_another_institutions_patient_is_not_read_without_a_grant(
        ehr: Ehr, neurosurgeon: Any, settings: Any) -> None:
    from tests.factories import InstitutionFactory, TeamFactory, UserFactory
    from tumorboard.models import Team

    other = InstitutionFactory(code="elsewhere", name="Elsewhere")
    surgeon = UserFactory(institution=other)
    team = TeamFactory(institution=other, kind=Team.Kind.BREAST)
    from tests.factories import add_member
    add_member(team, surgeon)
    patient = PatientFactory(institution=other, mrn="HIDDEN-1")
    case = create_case(actor=surgeon, patient=patient, breast_team=team)
    add_lesion(case, actor=surgeon, levels=["T4"], bilsky="3")
    settings.CDS_HOOKS_MRN_SYSTEMS = {"urn:oid:9.9": "elsewhere"}
    body = cds_ehr.patient_view("ehr-2", {"patient": cds_ehr.patient(
        "ehr-2", system="urn:oid:9.9", mrn="HIDDEN-1")})
    response = call(ehr, body)
    # Not visible to the principal: treated as unknown, and the prefetch lacks the data.
    assert response.status_code == 412
    assert "prefetch" in response.json()["error"]
    assert "T4" not in response.content.decode()


@pytest.mark.parametrize("case_name", ["absent", "not_jwt", "wrong_key", "expired", "wrong_aud",
                                       "no_jti", "unknown_issuer", "too_long", "replayed"])
def test_bad_or_absent_jwt_is_401_and_audited(ehr: Ehr, tmp_path: Any, case_name: str) -> None:
    aud = f"{BASE}/cds-services/{SERVICE}"
    (tmp_path / "other").mkdir()
    tokens = {
        "absent": "",
        "not_jwt": "abc.def",
        "wrong_key": Ehr(tmp_path / "other").token(aud=aud),  # same kid, another key
        "expired": ehr.token(aud=aud, iat=0, lifetime=60),
        "wrong_aud": ehr.token(aud="https://other.example/cds-services"),
        "no_jti": ehr.token(aud=aud, drop=("jti",)),
        "unknown_issuer": ehr.token(aud=aud, iss="https://rogue.example"),
        "too_long": ehr.token(aud=aud, lifetime=3600),
        "replayed": ehr.token(aud=aud, jti=f"once-{uuid.uuid4()}"),
    }
    if case_name == "replayed":
        assert call(ehr, cds_ehr.patient_view("ehr-1", prefetch()),
                    token=tokens["replayed"]).status_code == 200
    if case_name == "absent":
        response = Client().post(f"/cds-services/{SERVICE}", "{}",
                                 content_type="application/json")
    else:
        response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch()), token=tokens[case_name])
    assert response.status_code == 401
    assert response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    row = AuditEvent.objects.filter(object_type="cds_hook").latest("pk")  # a read is unlinked yet
    assert row.outcome == "denied" and row.actor_id is None and row.detail["status"] == 401


@pytest.mark.parametrize(("raw", "names"), [
    (b"not json", "body"),
    (json.dumps({"hook": "patient-view", "context": {}}).encode(), "hookInstance"),
    (json.dumps({"hook": "order-select", "hookInstance": "x",
                 "context": {"userId": "Practitioner/1", "patientId": "p"}}).encode(), "hook"),
    (json.dumps({"hook": "patient-view", "hookInstance": "x",
                 "context": {"userId": "Practitioner/1"}}).encode(), "patientId"),
    (json.dumps(cds_ehr.patient_view("p", {
        "observations": cds_ehr.bundle(cds_ehr.score("p", "X", "sins", "T7", 3))})).replace(
            '"X"', json.dumps(f"{BASE}/api/v1/fhir/CodeSystem/spine-scores")).replace(
            '"valueInteger": 3', '"valueInteger": 30').encode(), "valueInteger"),
])
def test_a_malformed_request_is_400_naming_the_member(ehr: Ehr, raw: bytes, names: str) -> None:
    before = Referral.objects.count()
    response = call(ehr, None, raw=raw)
    assert response.status_code == 400
    assert names in response.json()["error"]
    assert Referral.objects.count() == before
    assert AuditEvent.objects.filter(object_type="cds_hook").latest("pk").detail["status"] == 400


def test_order_select_on_a_spine_mri_gives_the_card(ehr: Ehr) -> None:
    order = cds_ehr.imaging_order("MRI thoracic spine without contrast")
    response = call(ehr, cds_ehr.order_select("ehr-1", order, prefetch()), service=ORDER)
    assert response.status_code == 200, response.content
    assert len(response.json()["cards"]) == 1


def test_order_select_on_another_order_gives_no_card(ehr: Ehr) -> None:
    order = cds_ehr.imaging_order("CT chest with contrast")
    response = call(ehr, cds_ehr.order_select("ehr-1", order, prefetch()), service=ORDER)
    assert response.json() == {"cards": []}


def test_the_card_link_opens_the_referral_form_with_the_triggers_ticked(
        ehr: Ehr, breast_surgeon: Any, teams: Any, client: Any) -> None:
    case = create_case(actor=breast_surgeon, **teams)
    client.force_login(breast_surgeon)
    page = client.get(f"/referrals/flag/{case.pk}/?trigger=back_pain")
    assert page.status_code == 200
    html = page.content.decode()
    box = html[html.index('value="back_pain"') - 200:html.index('value="back_pain"') + 200]
    assert "checked" in box


def test_neurology_system_is_under_the_fhir_canonical(ehr: Ehr) -> None:
    assert neurology_system().startswith(codes.canonical())


def test_a_hook_call_runs_a_bounded_number_of_queries(
        ehr: Ehr, breast_surgeon: Any, teams: Any, settings: Any,
        django_assert_max_num_queries: Any) -> None:
    settings.CDS_HOOKS_MRN_SYSTEMS = {"urn:oid:1.2.3.4": breast_surgeon.institution.code}
    patient = PatientFactory(institution=breast_surgeon.institution, mrn="Q-1")
    case = create_case(actor=breast_surgeon, patient=patient, **teams)
    for level in ("T2", "T5", "L1"):
        add_lesion(case, actor=breast_surgeon, levels=[level], bilsky="2")
    body = cds_ehr.patient_view("ehr-q", {"patient": cds_ehr.patient(
        "ehr-q", system="urn:oid:1.2.3.4", mrn="Q-1")})
    # Principal, patient + case, lesions with imaging, open referrals, the audit row: not one
    # query per lesion.
    with django_assert_max_num_queries(8):
        assert len(call(ehr, body).json()["cards"]) == 1
    with django_assert_max_num_queries(6):
        assert len(call(ehr, cds_ehr.patient_view("ehr-1", prefetch())).json()["cards"]) == 1


def test_an_rs384_signed_jwt_is_accepted_and_hs256_refused(
        ehr: Ehr, tmp_path: Any, settings: Any) -> None:
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "rsa-1", "alg": "RS384"})
    jwks = json.loads(ehr.jwks_path.read_text())
    jwks["keys"].append(public)
    (tmp_path / "both.json").write_text(json.dumps(jwks))
    settings.CDS_HOOKS_JWKS = str(tmp_path / "both.json")
    now = int(time.time())
    claims = {"iss": cds_ehr.ISSUER, "aud": f"{BASE}/cds-services", "iat": now,
              "exp": now + 60, "jti": str(uuid.uuid4())}
    rs = jwt.encode(claims, key, algorithm="RS384", headers={"kid": "rsa-1"})
    assert call(ehr, cds_ehr.patient_view("ehr-1", prefetch()), token=rs).status_code == 200
    hs = jwt.encode({**claims, "jti": str(uuid.uuid4())}, "shared-secret-of-32-bytes-or-more!",
                    algorithm="HS256", headers={"kid": "rsa-1"})
    response = call(ehr, cds_ehr.patient_view("ehr-1", prefetch()), token=hs)
    assert response.status_code == 401 and "alg" in response.json()["error"]
