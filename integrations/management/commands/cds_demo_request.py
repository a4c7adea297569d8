"""python manage.py cds_demo_request: print a ready-to-run CDS Hooks request (curl) for a seeded
demo patient whose referral triggers fire, so the demo shows a card (issue 21).

The demo EHR's signing key is made here on first use (``var/cds-demo/``, an ES384 key and its
JWKS, the development default of ``CDS_HOOKS_JWKS``); the JWT is valid for 5 minutes and once
(its jti), as the specification asks: run the command again for another request. Run
``seed_demo`` first. Synthetic demo data only: the request carries the demo patient's MRN.
"""

from __future__ import annotations

import json
import shlex
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.access import case_list_visible_to
from integrations.cdshooks.services import PATIENT_VIEW
from integrations.demo import DEMO_INTEGRATION_CLIENT
from integrations.fhir import resources
from referrals.triggers import case_findings
from tumorboard.models import User

KID = "demo-ehr-1"


def demo_key(directory: Path, jwks_path: Path) -> ec.EllipticCurvePrivateKey:
    """The demo EHR's key, made once; its public JWKS written where the service reads it."""
    pem = directory / "ehr-key.pem"
    if pem.exists():
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
    else:
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP384R1())
        pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        pem.chmod(0o600)
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": KID, "use": "sig", "alg": "ES384"})
    jwks_path.parent.mkdir(parents=True, exist_ok=True)
    jwks_path.write_text(json.dumps({"keys": [public]}, indent=1))
    return key


class Command(BaseCommand):
    help = "Print a curl command that asks the CDS service for a seeded demo patient's card."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default=settings.SERVICE_BASE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        source = settings.CDS_HOOKS_JWKS
        if not source or source.startswith(("http://", "https://")):
            raise CommandError("CDS_HOOKS_JWKS must be a local file for the demo (unset it in "
                               "development to use var/cds-demo/jwks.json)")
        issuer = next((iss for iss, name in settings.CDS_HOOKS_ISSUERS.items()
                       if name == DEMO_INTEGRATION_CLIENT), None)
        if issuer is None:
            raise CommandError(f"no CDS_HOOKS_ISSUERS entry acts as {DEMO_INTEGRATION_CLIENT}")
        principal = User.objects.filter(username=DEMO_INTEGRATION_CLIENT).first()
        if principal is None:
            raise CommandError("run `python manage.py seed_demo` first")
        case = next((row for row in case_list_visible_to(user=principal)
                     .select_related("patient__institution").order_by("pk")
                     if case_findings(row).triggers), None)
        if case is None:
            raise CommandError("no demo case fires a referral trigger: run seed_demo")
        key = demo_key(Path(settings.CDS_DEMO_DIR), Path(source))
        base = options["base_url"].rstrip("/")
        url = f"{base}/cds-services/{PATIENT_VIEW}"
        now = int(time.time())
        claims = {"iss": issuer, "sub": "demo-ehr", "iat": now, "exp": now + 300,
                  "aud": f"{settings.CDS_HOOKS_AUDIENCE}/{PATIENT_VIEW}",
                  "jti": str(uuid.uuid4())}
        token = jwt.encode(claims, key, algorithm="ES384", headers={"kid": KID, "typ": "JWT"})
        patient = resources.patient(case.patient)
        body = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                "context": {"userId": "Practitioner/demo-surgeon",
                            "patientId": f"demo-{case.patient_id}"},
                "prefetch": {"patient": {**patient, "id": f"demo-{case.patient_id}"}}}
        self.stdout.write(f"# CDS Hooks demo: patient-view for demo case {case.pk} "
                          f"(valid 5 minutes, once)")
        self.stdout.write(
            f"curl -sS -X POST {shlex.quote(url)} -H 'Content-Type: application/json' "
            f"-H {shlex.quote('Authorization: Bearer ' + token)} "
            f"--data {shlex.quote(json.dumps(body))}")
