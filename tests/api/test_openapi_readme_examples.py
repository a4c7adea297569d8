"""The README's API examples work as printed (issue 20): the block under ``<!-- api-examples -->``
(a poll, a FHIR read, a FHIR search) runs unchanged against the live test server with an
integration client's token. The webhook verification block is run against a real delivery in
tests/integrations/test_standard_webhooks.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import build_world
from tests.integrations.test_standard_webhooks import readme_block

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_readme_poll_fhir_read_and_search_run_as_printed(
        live_server: Any, monkeypatch: Any, breast_surgeon: Any, neurosurgeon: Any,
        coordinator: Any, oncologist: Any, breast_team: Any, spine_team: Any,
        mdt_team: Any) -> None:
    from integrations.services import integration_client_save
    from integrations.tokens import token_create

    world = build_world(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                        coordinator=coordinator, oncologist=oncologist, breast_team=breast_team,
                        spine_team=spine_team, mdt_team=mdt_team)
    user = integration_client_save(username="his-readme", teams=[breast_team])
    _, raw = token_create(user=user, name="readme")
    monkeypatch.setenv("TUMORBOARD_URL", live_server.url)
    monkeypatch.setenv("TUMORBOARD_TOKEN", raw)

    namespace: dict[str, Any] = {}
    exec(compile(readme_block("api-examples"), "README.md", "exec"), namespace)  # noqa: S102

    assert namespace["changed"] == [world.case.pk]
    patient = namespace["patient"]
    assert patient["resourceType"] == "Patient" and patient["id"] == str(world.patient.pk)
    found = namespace["found"]
    assert found["resourceType"] == "Bundle" and found["type"] == "searchset"
    assert [entry["resource"]["id"] for entry in found["entry"]] == [str(world.patient.pk)]
