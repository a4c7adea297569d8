"""schemathesis 4 against the live schema: every operation, positive and negative generation,
as a breast oncosurgeon whose care team holds seeded cases, referrals and a finalized meeting
(so that the 200 paths really run). Checks: no 5xx, responses that conform to the schema,
no undocumented status code, the documented content type. At least 1,000 requests in total.

The loader is module-level (``schemathesis.openapi.from_wsgi``): ``pytest.from_fixture`` crashes
on pytest 9 (LIBRARY-NOTES.md).
"""

from __future__ import annotations

import random
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tumorboard.wsgi import application

MIN_REQUESTS = 1000
EXAMPLES_PER_OPERATION = 10

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none")
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
OPERATIONS = len(list(schema.get_all_operations()))

calls: Counter[str] = Counter()
statuses: Counter[int] = Counter()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Any:
    """One world for the whole module, inside a transaction rolled back at its end (each test's
    own transaction is a savepoint within it)."""
    from integrations.models import WebhookSubscription
    from integrations.tokens import token_create
    from referrals.models import Alert
    from tests.api.conftest import build_world
    from tests.factories import TeamFactory, UserFactory, add_member
    from tumorboard.models import Team
    from tumorboard.roles import Role

    # Calls go straight to the WSGI app: like Django's test client, keep request signals from
    # closing the test's connection (inside a transaction, PostgreSQL's would be closed).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            teams = {kind: TeamFactory(name=f"ST {kind}", kind=kind)
                     for kind in (Team.Kind.BREAST, Team.Kind.SPINE, Team.Kind.MDT)}
            people = {}
            for name, role, kind in [("st-breast", Role.BREAST_ONCOSURGEON, Team.Kind.BREAST),
                                     ("st-neuro", Role.NEUROSURGEON, Team.Kind.SPINE),
                                     ("st-coord", Role.COORDINATOR, Team.Kind.MDT),
                                     ("st-radonc", Role.RADIATION_ONCOLOGIST, Team.Kind.MDT)]:
                people[name] = UserFactory(username=name, role=role)
                add_member(teams[kind], people[name], lead=name != "st-radonc")
            world = build_world(
                breast_surgeon=people["st-breast"], neurosurgeon=people["st-neuro"],
                coordinator=people["st-coord"], oncologist=people["st-radonc"],
                breast_team=teams[Team.Kind.BREAST], spine_team=teams[Team.Kind.SPINE],
                mdt_team=teams[Team.Kind.MDT])
            user = people["st-breast"]
            token, raw = token_create(user=user, name="schemathesis")
            spare, _ = token_create(user=user, name="spare")
            hook = WebhookSubscription.objects.create(owner=user, url="https://his.example/h",
                                                      events=["referral.state_changed"],
                                                      secret="s" * 64)
            alert = Alert.objects.filter(recipient=user).first()
            item = world.decision.item
            ids = {
                "case_id": world.case.pk, "referral_id": world.referral.pk,
                "meeting_id": world.meeting.pk, "item_id": item.pk,
                "alert_id": alert.pk if alert else 1, "token_id": spare.pk,
                "subscription_id": hook.pk,
                "Patient": world.patient.pk, "ServiceRequest": world.referral.pk,
                "Task": world.referral.pk, "Observation": world.assessment.pk,
                "CarePlan": world.decision.pk,
            }
            yield SimpleNamespace(token=token, raw=raw, ids=ids)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


def _real_ids(case: Any, ids: dict[str, int], rng: random.Random) -> None:
    """Half the time, point integer path ids at seeded rows so that 200 answers are exercised."""
    for name, value in list((case.path_parameters or {}).items()):
        if not isinstance(value, int) or isinstance(value, bool) or rng.random() < 0.5:
            continue
        if name in ("pk", "id") and "/fhir/" in case.path:
            kind = case.path.split("/fhir/")[1].split("/")[0]
            case.path_parameters[name] = ids[kind]
        elif name in ids:
            case.path_parameters[name] = ids[name]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_conforms_to_its_schema(case: Any, seeded: Any, settings: Any) -> None:
    from integrations.models import ApiToken

    settings.API_THROTTLE_RATE = None
    # A revoke drawn at random may hit our own token: bring it back before each call.
    ApiToken.objects.filter(pk=seeded.token.pk).update(revoked_at=None)
    _real_ids(case, seeded.ids, random.Random(str(case.path_parameters) + str(calls.total())))
    response = case.call_and_validate(headers={"Authorization": f"Token {seeded.raw}"},
                                      checks=CHECKS)
    calls[case.operation.label] += 1
    statuses[response.status_code] += 1


def test_zz_at_least_a_thousand_requests_over_every_operation() -> None:
    if len(calls) < OPERATIONS:
        pytest.skip("only part of the schemathesis run was selected")
    print(f"\nschemathesis: {calls.total()} requests over {len(calls)} operations; "
          f"statuses {dict(sorted(statuses.items()))}")
    assert calls.total() >= MIN_REQUESTS
    assert statuses[200] + statuses[201] > 50, "the seeded data must be reached"
