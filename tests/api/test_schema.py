"""The OpenAPI contract: validates with no warning, documents every endpoint's failures, and
its browsable docs load with no internet (drf-spectacular's sidecar)."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_setup, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        # Raises (SchemaGenerationError) on any warning or validation error.
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_failures(schema) -> None:
    for path, method, operation in _operations(schema):
        answers = set(operation["responses"])
        assert "429" in answers, (method, path)
        if operation["operationId"] != "auth_token":
            assert {"401", "403"} <= answers, (method, path)
        if "{" in path:
            assert "404" in answers, (method, path)
        if method in {"post", "patch", "put"}:
            assert "400" in answers, (method, path)
        assert any(code.startswith("2") for code in answers), (method, path)


def test_writes_that_can_conflict_document_409(schema) -> None:
    ops = {operation["operationId"]: operation for _, _, operation in _operations(schema)}
    for name in ["cases_partial_update", "cases_transitions_create", "referrals_accept",
                 "meetings_finalize", "meetings_item_decision"]:
        assert "409" in ops[name]["responses"], name


def test_lists_document_cursor_pagination_and_updated_since(schema) -> None:
    for path in ["/api/v1/cases/", "/api/v1/referrals/", "/api/v1/meetings/",
                 "/api/v1/alerts/"]:
        get = schema["paths"][path]["get"]
        names = {parameter["name"] for parameter in get["parameters"]}
        assert {"cursor", "page_size", "updated_since"} <= names, path
        page = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
        assert set(component["required"]) == {"next", "poll", "results"}, path


def test_details_document_etag_revalidation(schema) -> None:
    for path in ["/api/v1/cases/{case_id}/", "/api/v1/referrals/{referral_id}/",
                 "/api/v1/meetings/{meeting_id}/", "/api/v1/fhir/Patient/{id}"]:
        get = schema["paths"][path]["get"]
        assert "304" in get["responses"], path
        assert "If-None-Match" in {parameter["name"] for parameter in get["parameters"]}


def test_the_docs_load_without_the_internet(client, breast_surgeon) -> None:
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html)
                if url.startswith(("http://", "https://", "//"))]
    assert external == [], external
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:  # shipped in the sidecar package, served by WhiteNoise
        assert finders.find(asset), asset
