"""The demo: after seed_demo, ``cds_demo_request`` prints a curl command whose request, sent as
printed, answers a card for a seeded patient."""

from __future__ import annotations

import io
import json
import shlex
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client

from integrations.cdshooks import schemas

pytestmark = pytest.mark.django_db


def test_the_printed_curl_request_yields_a_card(settings: Any, tmp_path: Any) -> None:
    settings.CDS_DEMO_DIR = tmp_path / "cds-demo"
    settings.CDS_HOOKS_JWKS = str(tmp_path / "cds-demo" / "jwks.json")
    settings.CDS_HOOKS_ISSUERS = {"https://demo-ehr.invalid": "his-riverside"}
    call_command("seed_demo", verbosity=0)
    out = io.StringIO()
    call_command("cds_demo_request", stdout=out)
    line = next(row for row in out.getvalue().splitlines() if row.startswith("curl "))
    words = shlex.split(line)
    url = next(word for word in words if word.startswith("http"))
    auth = words[words.index("-H", words.index("-H") + 1) + 1]
    data = words[words.index("--data") + 1]
    jsonschema.validate(json.loads(data), schemas.REQUEST)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = Client().post(f"/{path}", data, content_type="application/json",
                             HTTP_AUTHORIZATION=auth.split(": ", 1)[1])
    assert response.status_code == 200, response.content
    body = response.json()
    jsonschema.validate(body, schemas.RESPONSE)
    assert len(body["cards"]) >= 1
    # Sent twice, the same JWT is a replay: refused.
    again = Client().post(f"/{path}", data, content_type="application/json",
                          HTTP_AUTHORIZATION=auth.split(": ", 1)[1])
    assert again.status_code == 401
