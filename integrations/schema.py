"""OpenAPI post-processing: the answers every endpoint can give, documented in one place.

Per-view ``extend_schema`` documents each endpoint's own answers (its 400 body, 403, 404, 409);
this hook adds what the framework answers for any view: 401 without valid credentials, 403 (an
integration client writing, a session without its CSRF token), 404 for an id in the path, 400 for
a malformed query or body, 429 over the rate limit and 503 while the database is away (both with
``Retry-After``). Every error answer gets its body's named component (``ErrorDetail``,
``FieldErrors``; a FHIR ``OperationOutcome`` as ``application/fhir+json`` on the FHIR routes), and
every conditional GET its ``ETag`` header (issue 20: an exact contract for generated clients).
"""

from __future__ import annotations

from typing import Any

DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
FIELDS = {"$ref": "#/components/schemas/FieldErrors"}
OUTCOME = {"$ref": "#/components/schemas/FhirOperationOutcome"}
FHIR_JSON = "application/fhir+json"
RETRY = {"Retry-After": {"schema": {"type": "integer"},
                         "description": "seconds to wait before the next request"}}
ETAG = {"ETag": {"schema": {"type": "string"},
                 "description": "the version of this answer: send it back in If-None-Match"}}
LAST_MODIFIED = {"Last-Modified": {"schema": {"type": "string"},
                                   "description": "when the resource last changed (HTTP date)"}}


def _answer(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}},
            **extra}


def _is_fhir(operation: dict[str, Any]) -> bool:
    return any(FHIR_JSON in (answer.get("content") or {})
               for code, answer in operation.get("responses", {}).items()
               if code.startswith("2"))


def _error_bodies(operation: dict[str, Any], fhir: bool) -> None:
    for code, answer in operation["responses"].items():
        if code[0] not in "45":
            continue
        if fhir and code != "503":  # a 503 comes from tumorboard.dbguard, before the view
            answer["content"] = {FHIR_JSON: {"schema": OUTCOME}}
        elif not answer.get("content"):
            answer["content"] = {"application/json": {
                "schema": FIELDS if code == "400" else DETAIL}}


def _conditional_headers(operation: dict[str, Any], fhir: bool) -> None:
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    if "If-None-Match" not in names:
        return
    for code in ("200", "304"):
        if code in operation["responses"]:
            headers = operation["responses"][code].setdefault("headers", {})
            headers.update(ETAG)
            if fhir:
                headers.update(LAST_MODIFIED)


def add_common_responses(result: dict[str, Any], generator: Any, request: Any, public: bool
                         ) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"] = {"type": "object", "properties": {"detail": {"type": "string"}},
                              "required": ["detail"]}
    schemas["FieldErrors"] = {
        "type": "object", "description": "field -> reasons (a nested body: field -> its errors)",
        "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                           {"type": "string"},
                                           {"type": "object", "additionalProperties": True}]}}
    if "FhirResource" in schemas:
        # Any FHIR R4 resource: its other elements are typed by the FHIR specification.
        schemas["FhirResource"]["additionalProperties"] = True
        schemas["FhirResource"]["externalDocs"] = {
            "url": "https://hl7.org/fhir/R4/resourcelist.html"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answers = operation.setdefault("responses", {})
            secured = operation.get("security") != [] and operation.get(
                "operationId") != "auth_token"
            if secured:
                answers.setdefault("401", _answer("not authenticated", DETAIL))
                answers.setdefault("403", _answer("not allowed (an integration client writing, "
                                                  "a session without its CSRF token)", DETAIL))
            if "{" in path:
                answers.setdefault("404", _answer("not found among yours", DETAIL))
            has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if has_query or "requestBody" in operation or method in {"post", "put", "patch"}:
                answers.setdefault("400", _answer("field -> reasons; nothing changed", FIELDS))
            answers.setdefault("429", _answer("rate limit reached", DETAIL))
            answers.setdefault("503", _answer("the database is unavailable for a moment",
                                              DETAIL))
            for code in ("429", "503"):
                answers[code].setdefault("headers", {}).update(RETRY)
            fhir = _is_fhir(operation)
            _error_bodies(operation, fhir)
            _conditional_headers(operation, fhir)
    return result
