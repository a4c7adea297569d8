"""OpenAPI post-processing: the answers every endpoint can give, documented in one place.

Per-view ``extend_schema`` documents each endpoint's own answers (its 400 body, 403, 404, 409);
this hook adds what the framework answers for any view: 401 without valid credentials, 403 (an
integration client writing, a session without its CSRF token), 404 for an id in the path, 400 for
a malformed query or body, 429 over the rate limit (with ``Retry-After``).
"""

from __future__ import annotations

from typing import Any

DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
FIELDS = {"$ref": "#/components/schemas/FieldErrors"}


def _answer(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}},
            **extra}


def add_common_responses(result: dict[str, Any], generator: Any, request: Any, public: bool
                         ) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"] = {"type": "object", "properties": {"detail": {"type": "string"}},
                              "required": ["detail"]}
    schemas["FieldErrors"] = {"type": "object", "description": "field -> reasons",
                              "additionalProperties": {}}
    retry = {"Retry-After": {"schema": {"type": "integer"},
                             "description": "seconds to wait before the next request"}}
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
            answers.setdefault("429", _answer("rate limit reached", DETAIL, headers=retry))
            if "429" in answers:
                answers["429"].setdefault("headers", retry)
    return result
