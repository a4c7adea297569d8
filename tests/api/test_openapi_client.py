"""A client generated from the live schema runs the hospital system's journey (issue 20).

``openapi-python-client`` (PyPI, a dev dependency) generates a typed client into ``tmp_path``
from the schema this service serves, with no network and no post-hooks; the test imports it
and, against the live test server, lists cases, polls with ``updated_since``, revalidates with
the ``ETag`` (304), reads the case status with its typed nested objects, the referrals and the
meeting's decisions. A field the schema mistypes fails here as it would in a hospital."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _value(member: Any) -> Any:
    """An enum member of the generated client, or a plain value."""
    return getattr(member, "value", member)


def _generate(schema: dict, where: Path) -> Any:
    tool = shutil.which("openapi-python-client") or str(
        Path(sys.executable).with_name("openapi-python-client"))
    (where / "openapi.json").write_text(json.dumps(schema))
    # No post-hooks: the default runs ruff from PATH; the generated code is used, not linted.
    (where / "config.yaml").write_text(
        "package_name_override: tumorboard_client\npost_hooks: []\n")
    result = subprocess.run(
        [tool, "generate", "--path", str(where / "openapi.json"), "--config",
         str(where / "config.yaml"), "--meta", "none", "--output-path",
         str(where / "tumorboard_client")],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    for name in [name for name in sys.modules if name.startswith("tumorboard_client")]:
        del sys.modules[name]
    return importlib.import_module("tumorboard_client")


@pytest.fixture
def generated(tmp_path: Path, breast_surgeon: Any) -> Any:
    reader = APIClient()
    reader.force_authenticate(breast_surgeon)
    answer = reader.get("/api/v1/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = json.loads(answer.content)
    try:
        yield _generate(schema, tmp_path)
    finally:
        sys.path.remove(str(tmp_path))


def test_a_generated_client_runs_the_hospital_journey(
        generated: Any, live_server: Any, breast_surgeon: Any, neurosurgeon: Any,
        coordinator: Any, oncologist: Any, breast_team: Any, spine_team: Any,
        mdt_team: Any) -> None:
    from integrations.services import integration_client_save
    from integrations.tokens import token_create

    world: SimpleNamespace = build_world(
        breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, coordinator=coordinator,
        oncologist=oncologist, breast_team=breast_team, spine_team=spine_team,
        mdt_team=mdt_team)
    user = integration_client_save(username="his-generated", teams=[breast_team])
    _, raw = token_create(user=user, name="generated")

    api = importlib.import_module("tumorboard_client.api")
    cases_list = importlib.import_module("tumorboard_client.api.cases.cases_list")
    cases_retrieve = importlib.import_module("tumorboard_client.api.cases.cases_retrieve")
    referrals_list = importlib.import_module("tumorboard_client.api.referrals.referrals_list")
    referrals_retrieve = importlib.import_module(
        "tumorboard_client.api.referrals.referrals_retrieve")
    meetings_retrieve = importlib.import_module(
        "tumorboard_client.api.meetings.meetings_retrieve")
    assert api is not None
    client = generated.AuthenticatedClient(base_url=live_server.url, token=raw,
                                           raise_on_unexpected_status=True)

    # List, then poll with updated_since: typed rows.
    listed = cases_list.sync_detailed(client=client)
    assert listed.status_code == 200
    assert [row.id for row in listed.parsed.results] == [world.case.pk]
    row = listed.parsed.results[0]
    assert row.patient.mrn == world.patient.mrn and _value(row.urgency) == "green"
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    polled = cases_list.sync_detailed(client=client, updated_since=since)
    assert [row.id for row in polled.parsed.results] == [world.case.pk]
    later = cases_list.sync_detailed(client=client,
                                     updated_since=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert later.parsed.results == []

    # The case status, typed to its nested objects; then a 304 on its ETag.
    status = cases_retrieve.sync_detailed(client=client, case_id=world.case.pk)
    assert status.status_code == 200
    case = status.parsed
    assert case.last_decision.pathway == "cebrt" and case.last_decision.meeting == \
        world.meeting.pk
    assert case.next_meeting is None
    assert case.clinical.kps == world.case.kps and case.clinical.asia is None
    assert case.care_team.breast_team == breast_team.pk
    assert _value(case.latest_assessment.pathway) == world.assessment.pathway
    assert [referral.id for referral in case.open_referrals] == []
    etag = status.headers["etag"]
    again = cases_retrieve.sync_detailed(client=client, case_id=world.case.pk,
                                         if_none_match=etag)
    assert again.status_code == 304 and again.parsed is None

    # Referrals, and the meeting's decisions.
    referrals = referrals_list.sync_detailed(client=client)
    assert [r.id for r in referrals.parsed.results] == [world.referral.pk]
    referral = referrals_retrieve.sync_detailed(client=client, referral_id=world.referral.pk)
    assert referral.parsed.id == world.referral.pk
    meeting = meetings_retrieve.sync_detailed(client=client, meeting_id=world.meeting.pk)
    decisions = [item.decision for item in meeting.parsed.agenda if item.decision is not None]
    assert [decision.id for decision in decisions] == [world.decision.pk]
    assert _value(decisions[0].pathway) == "cebrt" and _value(decisions[0].urgency) == "green"
