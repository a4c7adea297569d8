"""The access matrix: every URL pattern of the service (pages, API, exports, FHIR, alerts, a set
of admin pages), for every role and anonymous, on an object of the role's own team and on one of
another team. The expected answers are the table in access_expected.py, checked in full: a URL
pattern without a row there fails the test, so a new endpoint cannot ship unchecked.

Beyond the table, three invariants hold for every answer: another team's object is never
answered with its data (only 302 to the login, 403, 404 or 405), no body names another team's
patient, and every 2xx answer to a signed-in user says ``Cache-Control: no-store``.
Regenerate the table after a deliberate change with R2_ACCESS_DUMP=1 and review the diff.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import AuditEvent
from tests.factories import UserFactory
from tests.security.access_expected import ADMIN_ROUTES, EXPECTED, ROLES
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

REFUSED = {302, 401, 403, 404, 405}
#: Values for the URL arguments that are not object ids of a world. Tokens, webhook
#: subscriptions and checklist ticks belong to a person or are made on the page: a missing id
#: (999999) checks that they answer 404 without leaking (their owners' tests are in tests/api/).
#: Routes whose ``pk`` is not a case: the world's object each one names. The care plan's world
#: has no decision yet (404 on both sides); tests/integrations/test_fhir.py covers a finalized one,
#: outsiders included.
PK_OF: dict[str, str] = {
    "api-fhir-patient": "patient_id", "api-fhir-servicerequest": "referral_id",
    "api-fhir-task": "referral_id", "api-fhir-observation": "assessment_id",
    "api-fhir-careplan": "decision_id", "api-fhir-condition": "case_id",
}
#: FHIR ids that are not bare row ids: the prefix before the world's row id.
PK_PREFIX: dict[str, str] = {"api-fhir-condition": "primary-"}

SLUGS: dict[Any, Any] = {
    ("meetings:move", "action"): "lock", ("referrals:referral-act", "action"): "acknowledge",
    "direction": "up", "kind": "packet", "duty_code": "x", "item_code": "x",
}


def all_routes() -> list[tuple[str, Any]]:
    """(URL name, pattern) of every non-admin URL pattern."""
    found: list[tuple[str, Any]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed URL pattern {prefix}{pattern.pattern}"
                found.append((namespace + pattern.name, pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


def _method(pattern: Any) -> str:
    view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    if view is None:
        return "page"  # a function view: GET, and POST when GET is not allowed
    if hasattr(view, "get"):
        return "get"
    return next(m for m in ("post", "put", "patch", "delete") if hasattr(view, m))


def _call(client: Client, method: str, url: str) -> Any:
    if method == "page":
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        return response
    if method == "get":
        return client.get(url)
    return client.generic(method.upper(), url, b"{}", content_type="application/json")


@pytest.fixture
def people(breast_surgeon, neurosurgeon, coordinator, oncologist, medical_oncologist,
           admin_person, world_a, breast_team, spine_team) -> dict[str, Any]:
    from cases.access import care_team_add
    from cases.models import CareTeamReason
    from integrations.models import IntegrationGrant
    from tumorboard.models import TeamMembership

    integration = UserFactory(username="his-client", role=Role.INTEGRATION)
    IntegrationGrant.objects.create(user=integration, team=breast_team)
    # Team changes after the case exists (issue 15): a breast surgeon who left the breast team
    # sees nothing of it any more; a neurosurgeon who joined the spine team sees it at once.
    leaver = UserFactory(username="lena", role=Role.BREAST_ONCOSURGEON)
    TeamMembership.objects.create(team=breast_team, user=leaver)
    TeamMembership.objects.filter(team=breast_team, user=leaver).delete()
    joiner = UserFactory(username="jonah", role=Role.NEUROSURGEON)
    TeamMembership.objects.create(team=spine_team, user=joiner)
    # The responsible clinician of an MDT decision, in no team of the case: on its care team.
    responsible = UserFactory(username="rhea", role=Role.MEDICAL_ONCOLOGIST)
    care_team_add(case=world_a.case, user=responsible,
                  reason=CareTeamReason.DECISION_RESPONSIBLE, actor=coordinator)
    # The oncologists see a case once added to it; the radiation oncologist is, the medical
    # oncologist is not (an MDT member who was not asked).
    from cases import services

    services.case_update(case=world_a.case, actor=breast_surgeon, expected_version=None,
                         oncologists=[oncologist])
    world_a.case.refresh_from_db()
    return {"breast": breast_surgeon, "neuro": neurosurgeon, "coordinator": coordinator,
            "radonc": oncologist, "medonc": medical_oncologist, "integration": integration,
            "admin": admin_person, "leaver": leaver, "joiner": joiner,
            "responsible": responsible}


def _fingerprint(world: Any) -> tuple:
    case = type(world.case).objects.get(pk=world.case.pk)
    referral = type(world.referral).objects.get(pk=world.referral.pk)
    meeting = type(world.meeting).objects.get(pk=world.meeting.pk)
    return (case.version, case.phase, case.lesions.count(), case.assessments.count(),
            case.phase_events.count(), referral.status, meeting.status,
            meeting.items.count(), referral.alerts.exclude(acknowledged_at=None).count())


@pytest.mark.slow  # every endpoint for every role on two teams' cases: about a minute
def test_every_endpoint_for_every_role_on_own_and_other_teams_case(
    people, world_a, world_b
) -> None:
    routes = all_routes()
    missing = sorted(name for name, _ in routes if name not in EXPECTED)
    stale = sorted(set(EXPECTED) - {name for name, _ in routes} - set(ADMIN_ROUTES))
    dump = bool(os.environ.get("R2_ACCESS_DUMP"))
    assert dump or not missing, f"URL patterns without a row in access_expected.EXPECTED: {missing}"
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"
    secrets_b = [world_b.case.patient.family_name, world_b.case.patient.mrn]
    before_b = _fingerprint(world_b)
    observed: dict[str, dict[str, str]] = {}
    leaks: list[str] = []
    cacheable: list[str] = []  # answers to a signed-in user without Cache-Control: no-store
    admin_patterns = [(name, None) for name in ADMIN_ROUTES]
    clients = {role: Client(raise_request_exception=False) for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            client.force_login(people[role])
    for name, pattern in routes + admin_patterns:
        converters = pattern.pattern.converters if pattern is not None else ADMIN_ROUTES[name]
        method = _method(pattern) if pattern is not None else "get"
        row: dict[str, str] = {}
        for role in ROLES:
            client = clients[role]
            answers = []
            for side, world in (("own", world_a), ("other", world_b)):
                if pattern is None:  # an admin page: its object is named in ADMIN_ROUTES
                    kwargs = {k: world.kwargs()[v] for k, v in converters.items()}
                else:
                    known = world.kwargs()
                    if name in PK_OF:
                        known["pk"] = known.get(PK_OF[name], 999999)
                        if name in PK_PREFIX:
                            known["pk"] = f"{PK_PREFIX[name]}{known['pk']}"
                    kwargs = {k: known.get(k, SLUGS.get((name, k), SLUGS.get(k, 999999)))
                              for k in converters}
                url = reverse(name, kwargs=kwargs)
                response = _call(client, method, url)
                status = response.status_code
                answers.append(str(status))
                if role != "anonymous" and status < 300 and "no-store" not in response.get(
                        "Cache-Control", ""):
                    cacheable.append(f"{role} {name}: {response.get('Cache-Control')!r}")
                body = b"" if getattr(response, "streaming", False) else response.content
                if side == "other" and converters and status not in REFUSED and not (
                        role == "admin" and name.startswith("admin:")):
                    leaks.append(f"{role} {name} other team: {status}")
                if not (role == "admin" and name.startswith("admin:")):
                    for secret in secrets_b:
                        if secret.encode() in body:
                            leaks.append(f"{role} {name} ({side}): another team's patient")
                if not converters:
                    break  # no object in the URL: one request
            row[role] = "/".join(answers)
        observed[name] = row
    if dump:
        print("\nEXPECTED = {")
        for name in sorted(observed):
            print(f"    {name!r}: {observed[name]!r},")
        print("}")
    assert leaks == [], leaks
    assert cacheable == [], cacheable
    assert _fingerprint(world_b) == before_b, "a request changed another team's case"
    differences = {}
    for name, row in observed.items():
        expected = dict(zip(ROLES, EXPECTED.get(name, "").split(), strict=False))
        diff = {role: (expected.get(role), got) for role, got in row.items()
                if got not in expected.get(role, "").split("|")}
        if diff:
            differences[name] = diff
    cells = sum(len(row) for row in observed.values())
    print(f"\naccess matrix: {len(observed)} routes x {len(ROLES)} roles = {cells} cells, "
          f"{len(leaks)} leaks, {len(differences)} rows differing from the table")
    assert differences == {}, differences
    assert AuditEvent.objects.filter(outcome="denied").exists()
