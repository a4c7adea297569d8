"""One gate for every API write body: a JSON object, UTF-8, of bounded size and depth.

Checked before any view runs, so that an endpoint which reads no body (acknowledge, populate,
lock) refuses garbage instead of acting on it, and so that what DRF's parser would crash on (a
deeply nested document raises RecursionError: a 500) or would read past Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads the raw stream) never reaches it. The error bodies have
the API's shapes (tumorboard.api_errors.exception_handler): a 400 is {"non_field_errors":
["malformed request body: ..."]}, a 413 or 415 is {"detail": ...}; none echoes the input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

#: Deeper than any body the API accepts (the deepest is a case with its nested patient).
MAX_DEPTH = 32
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _refuse(status: int, detail: str) -> JsonResponse:
    if status == 400:
        return JsonResponse({"non_field_errors": [f"malformed request body: {detail}"]},
                            status=status)
    return JsonResponse({"detail": detail}, status=status)


def _strict_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return False


def api_body_problem(request: HttpRequest) -> JsonResponse | None:
    """The refusal for a bad API write body, or None when the body is acceptable (or absent)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "malformed Content-Length")
    if length == 0:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return _refuse(413, f"request body too large: at most {limit} bytes")
    media_type = (request.content_type or "").lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        return _refuse(415, "the API accepts application/json bodies only")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "request body is not valid UTF-8")
    try:
        data = json.loads(text, parse_constant=_strict_constant)
    except RecursionError:
        return _refuse(400, f"JSON nested too deeply: at most {MAX_DEPTH} levels")
    except ValueError as exc:
        # json's messages give a position, never the content.
        return _refuse(400, f"malformed JSON: {exc}")
    if _too_deep(data):
        return _refuse(400, f"JSON nested too deeply: at most {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        return _refuse(400, "the request body must be a JSON object")
    bad = next((path for path, text in _strings(data) if unstorable(text)), None)
    if bad is not None:
        # Named by its place in the body, never quoted: PostgreSQL stores neither NUL nor a
        # lone surrogate (\ud800 is valid JSON, but no UTF-8), and rendering one back is a 500.
        return JsonResponse({bad: ["contains a NUL character or an unpaired surrogate"]},
                            status=400)
    return None


def unstorable(text: str) -> bool:
    """A NUL or a lone surrogate: neither can be stored, logged as UTF-8 or sent back."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(top-level field, string) for every key and string value anywhere in the body."""
    found: list[tuple[str, str]] = []
    for field, value in data.items():
        name = field if not unstorable(field) else "non_field_errors"
        stack: list[Any] = [field, value]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                found.append((name, node))
            elif isinstance(node, dict):
                stack.extend(node.keys())
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return found


class ApiBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in WRITE_METHODS and request.path.startswith("/api/"):
            refusal = api_body_problem(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)
