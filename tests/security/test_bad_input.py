"""Bad input over every API write endpoint: oversized bodies, wrong content types, invalid UTF-8,
deep or malformed JSON and JSON of the wrong shape. Each answer is a 4xx, never a 5xx, and no
row of any table changes (the audit trail and the login bookkeeping aside).

Schemathesis' negative generation over every endpoint is in tests/api/ (issue 8), and hypothesis
drives the scoring core in tests/scoring/test_calc_properties.py; hypothesis on every page form is
in test_form_fuzz.py here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

#: Rows that a refused request may legitimately add: the audit trail records the attempt, the
#: session and login bookkeeping belong to authentication.
NOT_COUNTED = {"cases.auditevent", "cases.auditchain", "sessions.session",
               "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}

BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "oversized": (b'{"note": "' + b"x" * 3_000_000 + b'", "reason": "x"}', "application/json"),
    "text/plain": (b"to_phase=surgery", "text/plain"),
    "form-encoded": (b"reason=x&note=y", "application/x-www-form-urlencoded"),
    "xml": (b"<case><kps>10</kps></case>", "application/xml"),
    "invalid utf-8": (b'{"reason": "\xff\xfe\xfd", "note": "\xc3\x28"}', "application/json"),
    "deep arrays": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "deep objects": (b'{"a":' * 20_000 + b"1" + b"}" * 20_000, "application/json"),
    "truncated json": (b'{"reason": "x", "to_phase": ', "application/json"),
    "a list": (b'[{"reason": "x"}]', "application/json"),
    "a string": (b'"surgery"', "application/json"),
    "null": (b"null", "application/json"),
    "NaN": (b'{"kps": NaN, "version": Infinity}', "application/json"),
}


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
            if m._meta.label_lower not in NOT_COUNTED and not m._meta.proxy}


def api_write_routes(kwargs: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, url, method) for every API route whose view takes POST, PUT or PATCH."""
    routes = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
                    "api/"):
                view = getattr(pattern.callback, "view_class", None) or getattr(
                    pattern.callback, "cls", None)
                args = {k: kwargs.get(k, 1) for k in pattern.pattern.converters}
                url = reverse(pattern.name, kwargs=args)
                for method in ("post", "put", "patch"):
                    if view is not None and hasattr(view, method):
                        routes.append((pattern.name, url, method))

    walk(get_resolver().url_patterns, "")
    return routes


def _user_for(url: str, people: dict[str, Any]) -> Any:
    if "/meetings/" in url:
        return people["coordinator"]
    if "/referrals/" in url or "/alerts/" in url:
        return people["neurosurgeon"]
    return people["breast_surgeon"]


def test_bad_bodies_on_every_api_write_endpoint_get_a_4xx_and_change_nothing(
    world_a, breast_surgeon, neurosurgeon, coordinator
) -> None:
    people = {"breast_surgeon": breast_surgeon, "neurosurgeon": neurosurgeon,
              "coordinator": coordinator}
    routes = api_write_routes({**world_a.kwargs(), "item_code": "x"})
    assert len(routes) >= 25, routes
    api = APIClient(raise_request_exception=False)
    before = row_counts()
    failures, tried = [], 0
    for name, url, method in routes:
        api.force_authenticate(_user_for(url, people))
        for kind, (body, content_type) in BAD_BODIES.items():
            response = api.generic(method.upper(), url, body, content_type=content_type)
            tried += 1
            if not 400 <= response.status_code < 500:
                failures.append((name, method, kind, response.status_code))
    print(f"\nbad input: {tried} requests over {len(routes)} write routes, "
          f"{len(failures)} not refused")
    assert failures == [], "\n".join(map(str, failures))
    after = row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


def test_the_json_errors_are_json_and_say_why(world_a, breast_surgeon) -> None:
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case-transitions", args=[world_a.case.pk])
    deep = api.generic("POST", url, *BAD_BODIES["deep arrays"])
    assert deep.status_code == 400
    assert "nested too deeply" in deep.json()["non_field_errors"][0]
    wrong = api.generic("POST", url, *BAD_BODIES["xml"])
    assert wrong.status_code == 415 and "application/json" in wrong.json()["detail"]
    big = api.generic("POST", url, *BAD_BODIES["oversized"])
    assert big.status_code == 413 and "too large" in big.json()["detail"]
