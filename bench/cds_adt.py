"""CDS Hooks cards per second and HL7 v2 ADT messages per second (issue 21).

Usage: ``python bench/cds_adt.py [--cds N] [--adt N] [--connections N]``, with ``DATABASE_URL``
naming a PostgreSQL server (default ``postgres://postgres@127.0.0.1:5432/tb_bench_cds``): the
script makes its own test database (``test_<name>``) and drops it at the end.

- CDS: a signed patient-view request, answered in-process by the Django test client (no HTTP
  server: the service's own cost: JWT check, schema validation, the scoring core's triggers and
  urgency, cards, the audit row). Two paths: prefetch only (the patient unknown here) and a
  patient known here (the service's own data). Tokens are signed before timing (the EHR's cost).
- ADT: real MLLP frames over loopback to the listener (``integrations.adt.listener``) in this
  process, each sender waiting for its ACK before the next message; A01 creating a new patient
  each time, then A08 updating them; with one connection and with ``--connections`` at once.

Median of three rounds; the figures go to bench/RESULTS.md by hand ("CDS Hooks and ADT").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tb_bench_cds")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def _world(tmp: Path) -> tuple[Any, Any]:
    from integrations.services import integration_client_save
    from tests.factories import (
        InstitutionFactory,
        TeamFactory,
        UserFactory,
        add_lesion,
        add_member,
        create_case,
    )
    from tests.integrations.cds_ehr import ISSUER, Ehr
    from tumorboard.models import Team

    institution = InstitutionFactory(code="test-hospital")
    team = TeamFactory(institution=institution, kind=Team.Kind.BREAST, name="Bench breast")
    surgeon = UserFactory(username="bench-surgeon", institution=institution)
    add_member(team, surgeon)
    principal = integration_client_save(username="bench-ehr", teams=[team])
    ehr = Ehr(tmp)
    settings.CDS_HOOKS_JWKS = str(ehr.jwks_path)
    settings.CDS_HOOKS_ISSUERS = {ISSUER: principal.username}
    settings.CDS_HOOKS_MRN_SYSTEMS = {"urn:oid:1.2.3.4": institution.code}
    case = create_case(actor=surgeon, breast_team=team)
    add_lesion(case, actor=surgeon, levels=["T9"], bilsky="2")
    return ehr, case


def _cds_round(ehr: Any, bodies: list[str], service: str) -> float:
    aud = f"{settings.CDS_HOOKS_AUDIENCE}/{service}"
    tokens = [ehr.token(aud=aud) for _ in bodies]
    client = Client()
    start = time.perf_counter()
    cards = 0
    for body, token in zip(bodies, tokens, strict=True):
        response = client.post(f"/cds-services/{service}", body,
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
        cards += len(response.json()["cards"])
    elapsed = time.perf_counter() - start
    assert cards >= len(bodies)
    return len(bodies) / elapsed


def bench_cds(count: int, tmp: Path) -> dict[str, float]:
    from tests.integrations import cds_ehr

    ehr, case = _world(tmp)
    scores = f"{settings.FHIR_CANONICAL_BASE}/CodeSystem/spine-scores"
    prefetch = {"patient": cds_ehr.patient("p1", system="urn:oid:9.9.9", mrn="UNKNOWN"),
                "conditions": cds_ehr.bundle(cds_ehr.breast_primary("p1")),
                "observations": cds_ehr.bundle(cds_ehr.score("p1", scores, "sins", "T7", 9),
                                               cds_ehr.score("p1", scores, "bilsky", "T7", "2"))}
    unknown = [json.dumps(cds_ehr.patient_view("p1", prefetch)) for _ in range(count)]
    known_prefetch = {"patient": cds_ehr.patient("p2", system="urn:oid:1.2.3.4",
                                                 mrn=case.patient.mrn)}
    known = [json.dumps(cds_ehr.patient_view("p2", known_prefetch)) for _ in range(count)]
    return {
        "prefetch": statistics.median(_cds_round(ehr, unknown, "spine-referral-triggers")
                                      for _ in range(3)),
        "known": statistics.median(_cds_round(ehr, known, "spine-referral-triggers")
                                   for _ in range(3)),
    }


def _adt_sender(port: int, messages: list[str], failures: list[str]) -> None:
    from tests.integrations.adt_feed import Mllp, fields

    feed = Mllp(port, timeout=60)
    for message in messages:
        code = fields(feed.send(message))["MSA"][1]
        if code != "AA":
            failures.append(code)
    feed.close()


def _adt_round(port: int, messages: list[str], connections: int) -> float:
    shares = [messages[i::connections] for i in range(connections)]
    failures: list[str] = []
    threads = [threading.Thread(target=_adt_sender, args=(port, share, failures))
               for share in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    assert not failures, failures[:5]
    return len(messages) / elapsed


def bench_adt(count: int, connections: int) -> dict[str, float]:
    from integrations.adt.listener import make_server
    from tests.integrations.adt_feed import adt

    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    port = server.server_address[1]
    results: dict[str, list[float]] = {"a01_1": [], "a08_1": [], f"a01_{connections}": []}
    try:
        for round_ in range(3):
            news = [adt("A01", f"B{round_}-{i}", mrn=f"B{round_}-{i}") for i in range(count)]
            results["a01_1"].append(_adt_round(port, news, 1))
            updates = [adt("A08", f"U{round_}-{i}", mrn=f"B{round_}-{i}", family=f"F{i}")
                       for i in range(count)]
            results["a08_1"].append(_adt_round(port, updates, 1))
            many = [adt("A01", f"C{round_}-{i}", mrn=f"C{round_}-{i}") for i in range(count)]
            results[f"a01_{connections}"].append(_adt_round(port, many, connections))
    finally:
        server.shutdown()
        server.server_close()
    return {key: statistics.median(values) for key, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cds", type=int, default=200, help="hook requests per round")
    parser.add_argument("--adt", type=int, default=300, help="ADT messages per round")
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args()
    import tempfile

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cds = bench_cds(options.cds, Path(tmp))
        adt_figures = bench_adt(options.adt, options.connections)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps({"cds_cards_per_second": cds, "adt_messages_per_second": adt_figures,
                      "cds_requests": options.cds, "adt_messages": options.adt,
                      "connections": options.connections, "cpu_count": os.cpu_count()},
                     indent=1))


if __name__ == "__main__":
    main()
