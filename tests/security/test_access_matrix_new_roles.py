"""The access matrix for the palliative care physician and the physiotherapist (issue 19): every
endpoint, on the case of their care team and on another hospital's case. The rule (cases.access):
members of the case's care team see it; nobody else does.

- ``palliative`` was added to world A's care team (cases.services.specialist_add);
- ``physio`` is in no care team: every object of world A is refused to them as to an outsider;
- on world B (another hospital) both are refused everywhere, and no body names its patient.

The full table of the other roles is tests/security/test_access_matrix.py; this one checks the
invariants for the new roles (0 leaks) and the answers the rule implies.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.security.test_access_matrix import (
    PK_OF,
    PK_PREFIX,
    REFUSED,
    SLUGS,
    _call,
    _fingerprint,
    _method,
    all_routes,
)
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

#: URL names whose answer is about the case or its objects: a person outside the care team
#: must be refused them on world A too.
CASE_SCOPED_ARGS = {"case_id", "patient_id", "referral_id", "lesion_id", "alert_id", "pk"}


@pytest.fixture
def specialists(world_a, breast_surgeon) -> dict[str, Any]:
    from cases import services

    palliative = UserFactory(username="pia", role=Role.PALLIATIVE_CARE_PHYSICIAN)
    physio = UserFactory(username="phil", role=Role.PHYSIOTHERAPIST)
    services.specialist_add(case=world_a.case, user=palliative, actor=breast_surgeon)
    return {"palliative": palliative, "physio": physio}


def _url(name: str, pattern: Any, world: Any) -> str:
    known = world.kwargs()
    if name in PK_OF:
        known["pk"] = known.get(PK_OF[name], 999999)
        if name in PK_PREFIX:
            known["pk"] = f"{PK_PREFIX[name]}{known['pk']}"
    kwargs = {k: known.get(k, SLUGS.get((name, k), SLUGS.get(k, 999999)))
              for k in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


@pytest.mark.slow  # every endpoint for two roles on two worlds
def test_the_new_roles_see_their_care_teams_case_only_and_nothing_leaks(
        specialists, world_a, world_b) -> None:
    secrets_b = [world_b.case.patient.family_name, world_b.case.patient.mrn]
    secrets_a = [world_a.case.patient.family_name, world_a.case.patient.mrn]
    before_b = _fingerprint(world_b)
    leaks: list[str] = []
    cacheable: list[str] = []
    palliative_sees: dict[str, int] = {}
    for role, person in specialists.items():
        client = Client(raise_request_exception=False)
        client.force_login(person)
        for name, pattern in all_routes():
            converters = set(pattern.pattern.converters)
            scoped = bool(converters & CASE_SCOPED_ARGS)
            for side, world in (("own", world_a), ("other", world_b)):
                response = _call(client, _method(pattern), _url(name, pattern, world))
                status = response.status_code
                body = b"" if getattr(response, "streaming", False) else response.content
                if status < 300 and "no-store" not in response.get("Cache-Control", ""):
                    cacheable.append(f"{role} {name}")
                if side == "other" and converters and status not in REFUSED:
                    leaks.append(f"{role} {name} other hospital: {status}")
                if any(secret.encode() in body for secret in secrets_b):
                    leaks.append(f"{role} {name} ({side}): another hospital's patient")
                if role == "physio" and side == "own":
                    if scoped and status not in REFUSED:
                        leaks.append(f"physio {name}: a case outside their care team: {status}")
                    if any(secret.encode() in body for secret in secrets_a):
                        leaks.append(f"physio {name}: names a patient outside their care team")
                if role == "palliative" and side == "own":
                    palliative_sees[name] = status
                if not converters:
                    break
    assert leaks == [], leaks
    assert cacheable == [], cacheable
    assert _fingerprint(world_b) == before_b
    # The palliative care physician is in world A's care team: its pages answer.
    assert palliative_sees["cases:case-detail"] == 200
    assert palliative_sees["api-case"] == 200
    assert palliative_sees["home-specialist"] == 200
    assert palliative_sees["referrals:referral-detail"] == 200


def test_the_home_page_of_each_new_role(client, specialists, world_a) -> None:
    for role, person in specialists.items():
        client.force_login(person)
        home = client.get("/", follow=True)
        assert home.redirect_chain[-1][0] == reverse("home-specialist")
        names = world_a.case.patient.family_name.encode()
        assert (names in home.content) is (role == "palliative")
