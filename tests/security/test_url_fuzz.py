"""Hypothesis over every URL pattern of the resolver (pages, API, FHIR, exports, admin) with
hostile path arguments and query parameters, DEBUG off, as production runs: no answer is a 500,
and no error body quotes the input back.

Hostile values: ids huge, negative and beyond 64 bits; lone surrogates (as the UTF-8 bytes a
browser could send, ED A0 80), NUL, UTC offsets PostgreSQL refuses (+23:59, +99:00), impossible
dates (2026-02-30), dates that leave the calendar once shifted to UTC, forged cursors, very long
strings, markup. Every value carries a canary (Zq7x) that must never appear in a 4xx body. The
page forms are fuzzed by test_form_fuzz.py, the API bodies by tests/api/test_schemathesis.py.

The database is in autocommit, as in production (a refused value aborts no test transaction).
The figures (requests sent, 500s found) go to test-artifacts/reliability/fuzz-urls.json.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import record_figures
from tests.security.access_expected import ADMIN_ROUTES
from tests.security.test_access_matrix import PK_OF, SLUGS, all_routes

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "Zq7x"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


def _cursor(at: str, pk: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([at, pk]).encode()).decode().rstrip("=")


HOSTILE_IDS = st.sampled_from(["0", "1", "999999999", str(10**18 - 1), str(2**63),
                               str(2**64), "1" + "0" * 25, "9" * 400, "-1", "007"])
HOSTILE_TEXT = st.one_of(
    st.sampled_from([
        "\x00", "a\x00b", "\ud800", "x\udfff", "2026-02-30", "2026-02-30T10:00", "2026-13-01",
        "0000-00-00", "2026-01-01T00:00:00+23:59", "2026-01-01T00:00:00+99:00",
        "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "9999-12-31T23:59",
        "-1", "-9223372036854775809", str(2**64), "1e309", "NaN", "true", "null", "[]", "{}",
        "<script>alert(1)</script>", "' OR 1=1 --", "%00", "..%2f..%2fetc%2fpasswd",
        "x" * 5000, _cursor("2026-01-01T00:00:00+00:00", 2**70),
        _cursor("9999-12-31T23:59:59-23:59", 1), _cursor("2026-01-01T00:00:00+23:59", 1),
        _cursor("0001-01-01T00:00:00+23:59", 1), _cursor("not a date", "x"), "AAAA",
    ]),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
).map(lambda value: f"{CANARY}{value}" if value and value[0].isalpha() else value)
QUERY_NAMES = st.sampled_from([
    "updated_since", "cursor", "page_size", "page", "phase", "urgency", "status", "direction",
    "overdue", "at", "q", "kind", "o", "ordering", "format", "id", "id__exact", "all", "p",
    "e", "_changelist_filters", "next", "action", "lesion", "levels", "x\x00",
])


def _quote(value: str) -> str:
    # A lone surrogate goes out as the bytes a client could send (ED A0 80); Django decodes
    # invalid UTF-8 with replacement characters, as it would from a real socket.
    return quote(value, safe="", errors="surrogatepass")


def _routes() -> list[tuple[str, Any]]:
    return all_routes() + [(name, None) for name in ADMIN_ROUTES]


def _path(name: str, pattern: Any, world: Any, args: dict[str, str]) -> str:
    """The route with the world's own ids, then the hostile values put in their place."""
    converters = pattern.pattern.converters if pattern is not None else ADMIN_ROUTES[name]
    known = world.kwargs()
    if name in PK_OF:
        known["pk"] = known.get(PK_OF[name], 999999)
    kwargs: dict[str, Any] = {}
    for key in converters:
        if pattern is None:
            kwargs[key] = known[ADMIN_ROUTES[name][key]]
        else:
            kwargs[key] = known.get(key, SLUGS.get((name, key), SLUGS.get(key, 999999)))
    url = reverse(name, kwargs=kwargs)
    for key, hostile in args.items():
        if key in kwargs:
            url = url.replace(f"/{kwargs[key]}/", f"/{hostile}/", 1).replace(
                f"/{kwargs[key]}.", f"/{hostile}.", 1)
    return url


@pytest.mark.slow  # every URL with hostile ids and query values: tens of seconds
def test_no_url_and_no_query_parameter_makes_a_500_or_echoes_the_input(
        world_a, breast_surgeon, coordinator, admin_person) -> None:
    assert django_settings.DEBUG is False
    clients = {}
    for who, user in (("breast", breast_surgeon), ("coordinator", coordinator),
                      ("admin", admin_person)):
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(user)
    clients["anonymous"] = Client(raise_request_exception=False)
    sent: list[tuple[str, int]] = []
    failures: list[str] = []
    routes = _routes()

    def make_probe(name: str, pattern: Any) -> Any:
        converters = (list(pattern.pattern.converters) if pattern is not None
                      else list(ADMIN_ROUTES[name]))
        path_args = st.fixed_dictionaries({key: st.one_of(HOSTILE_IDS, HOSTILE_TEXT.map(_quote))
                                           for key in converters})
        query = st.lists(st.tuples(QUERY_NAMES, HOSTILE_TEXT), max_size=4)
        who = st.sampled_from(["admin"] if name.startswith("admin:")
                              else ["breast", "coordinator", "anonymous"])

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(args=st.one_of(st.just({}), path_args), params=query, role=who)
        def probe(args: dict[str, str], params: list[tuple[str, str]], role: str) -> None:
            url = _path(name, pattern, world_a, args)
            query_string = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params)
            response = clients[role].get(url + ("?" + query_string if query_string else ""))
            sent.append((name, response.status_code))
            body = (b"" if getattr(response, "streaming", False) else response.content
                    ).decode("utf-8", "replace")
            # /health/ answers 503 by design here (no worker heartbeat in this test).
            if response.status_code >= 500 and not (name == "health"
                                                    and response.status_code == 503):
                failures.append(f"{response.status_code} {name} {url}?{query_string[:200]}")
            elif response.status_code >= 400 and CANARY in body:
                failures.append(f"echo {response.status_code} {name} {url}?{query_string[:200]}")

        return probe

    for name, pattern in routes:
        make_probe(name, pattern)()

    server_errors = sum(1 for name, code in sent if code >= 500 and name != "health")
    record_figures("fuzz-urls", routes=len(routes), requests=len(sent),
                   server_errors=server_errors,
                   echoes=sum(1 for failure in failures if failure.startswith("echo")),
                   examples_per_route=EXAMPLES)
    assert failures == [], [f for f in failures if not f.startswith("503 health")][:30]
