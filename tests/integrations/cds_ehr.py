"""A test EHR for the CDS Hooks tests and the benchmark: its signing key (a local JWKS made with
cryptography), its signed JWTs, and FHIR prefetch built the way an EHR stores the data."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

ISSUER = "https://ehr.test.example"
KID = "ehr-test-1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


class Ehr:
    def __init__(self, directory: Path, *, kid: str = KID) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.kid = kid
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": kid, "use": "sig", "alg": "ES384"})
        self.jwks_path = directory / "jwks.json"
        self.jwks_path.write_text(json.dumps({"keys": [public]}))

    def token(self, *, aud: str, iss: str = ISSUER, lifetime: int = 300, jti: str | None = None,
              iat: float | None = None, drop: tuple[str, ...] = (), kid: str | None = None) -> str:
        now = time.time() if iat is None else iat
        claims = {"iss": iss, "aud": aud, "exp": int(now + lifetime), "iat": int(now),
                  "jti": jti or str(uuid.uuid4()), "sub": "ehr-client"}
        for name in drop:
            claims.pop(name)
        return jwt.encode(claims, self.key, algorithm="ES384",
                          headers={"kid": kid or self.kid, "typ": "JWT"})


def patient(pid: str, *, system: str, mrn: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid,
            "identifier": [{"system": system, "value": mrn}],
            "name": [{"family": "Example", "given": ["Eve"]}], "gender": "female"}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}


def breast_primary(pid: str, verification: str = "confirmed") -> dict[str, Any]:
    return {"resourceType": "Condition", "id": "c1", "subject": {"reference": f"Patient/{pid}"},
            "verificationStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": verification}]},
            "code": {"coding": [{"system": SNOMED, "code": "372137005"}]}}


def score(pid: str, scores_system: str, code: str, levels: str, value: Any,
          when: str = "2026-11-30T10:00:00Z") -> dict[str, Any]:
    typed = {"valueInteger": value} if isinstance(value, int) else {"valueString": value}
    return {"resourceType": "Observation", "id": f"{code}-{levels}-{when[:10]}",
            "status": "final", "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [{"system": scores_system, "code": code}]},
            "bodySite": {"text": f"{levels} vertebra"}, "effectiveDateTime": when, **typed}


def frankel(pid: str, neurology_system: str, grade: str) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": "frankel", "status": "final",
            "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [{"system": neurology_system, "code": "frankel"}]},
            "effectiveDateTime": "2026-11-30T10:00:00Z", "valueString": grade}


def patient_view(pid: str, prefetch: dict[str, Any] | None = None,
                 **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/dr-1", "patientId": pid}}
    if prefetch is not None:
        body["prefetch"] = prefetch
    body.update(extra)
    return body


def order_select(pid: str, order: dict[str, Any],
                 prefetch: dict[str, Any] | None = None) -> dict[str, Any]:
    body = patient_view(pid, prefetch)
    body["hook"] = "order-select"
    body["context"].update({"selections": [f"ServiceRequest/{order['id']}"],
                            "draftOrders": bundle(order)})
    return body


def imaging_order(text: str, oid: str = "order-1") -> dict[str, Any]:
    return {"resourceType": "ServiceRequest", "id": oid, "status": "draft", "intent": "order",
            "code": {"text": text}, "subject": {"reference": "Patient/ehr-1"}}
