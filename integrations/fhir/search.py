"""FHIR search parameters: what each resource type supports (the CapabilityStatement is built
from ``PARAMS``), and their parsing into database filters.

A parameter this server does not support is a 400 naming it, not silently ignored: a client that
filters by it would otherwise take the unfiltered page for its answer. Messages name the parameter,
never echo its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q

from tumorboard.lookups import as_id

#: Per resource type: parameter -> (FHIR search type, what it matches).
PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    "Patient": {
        "_id": ("token", "the logical id"),
        "identifier": ("token", "the MRN: [system|]value, system per institution"),
        "_lastUpdated": ("date", "meta.lastUpdated"),
    },
    "Condition": {
        "_id": ("token", "the logical id"),
        "patient": ("reference", "Patient/<id> or <id>"),
        "_lastUpdated": ("date", "meta.lastUpdated"),
    },
    "Observation": {
        "_id": ("token", "the logical id"),
        "patient": ("reference", "Patient/<id> or <id>"),
        "code": ("token", "[system|]code of Observation.code"),
        "category": ("token", "[system|]code of Observation.category"),
        "date": ("date", "effectiveDateTime"),
    },
    "ServiceRequest": {
        "_id": ("token", "the logical id"),
        "patient": ("reference", "Patient/<id> or <id>"),
        "status": ("token", "ServiceRequest.status"),
        "_lastUpdated": ("date", "meta.lastUpdated"),
    },
    "Task": {
        "_id": ("token", "the logical id"),
        "patient": ("reference", "Patient/<id> or <id>"),
        "status": ("token", "Task.status"),
        "owner": ("reference", "the owner: of a referral's triage, the team (CareTeam/<team "
                               "id> or <team id>); of a follow-through task, the clinician "
                               "(Practitioner/<user id>). Both are logical references "
                               "(identifier systems NamingSystem/team and NamingSystem/user)"),
        "_lastUpdated": ("date", "meta.lastUpdated"),
    },
    "CarePlan": {
        "_id": ("token", "the logical id"),
        "patient": ("reference", "Patient/<id> or <id>"),
        "_lastUpdated": ("date", "meta.lastUpdated"),
    },
}
#: Result parameters every search takes.
CONTROL = {"_count", "_offset", "_format"}
DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 10**6


class SearchError(Exception):
    """A bad search: the 400 OperationOutcome names the parameter (``param``)."""

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(reason)
        self.param = re.sub(r"[^A-Za-z0-9_:.\-]", "?", param)[:40]
        self.reason = reason


@dataclass
class Search:
    kind: str
    params: dict[str, list[str]] = field(default_factory=dict)
    count: int = DEFAULT_COUNT
    offset: int = 0

    def values(self, name: str) -> list[list[str]]:
        """Each occurrence of ``name`` (AND), split at commas (OR)."""
        return [value.split(",") for value in self.params.get(name, [])]


def _bounded_int(name: str, value: str, low: int, high: int) -> int:
    number = as_id(value) if value.strip().lstrip("-").isdigit() else None
    if number is None or not low <= number <= high:
        raise SearchError(name, f"must be a whole number from {low} to {high}")
    return number


def parse(kind: str, query: Any) -> Search:
    """The search of ``kind`` in a Django QueryDict (GET or a POST _search form)."""
    supported = PARAMS[kind]
    search = Search(kind=kind)
    for name in query:
        values = query.getlist(name)
        if name in ("_count", "_offset"):
            high = MAX_OFFSET if name == "_offset" else 10**9
            number = _bounded_int(name, values[-1], 0 if name == "_offset" else 1, high)
            if name == "_count":
                search.count = min(number, MAX_COUNT)  # a server may lower _count (R4 3.1.1.5.7)
            else:
                search.offset = number
            continue
        if name == "_format":
            continue  # content negotiation (views)
        if name not in supported:
            raise SearchError(name, f"is not a supported search parameter of {kind}")
        if any(not value or any(not part for part in value.split(",")) for value in values):
            raise SearchError(name, "needs a value")
        search.params[name] = values
    return search


# --- values ------------------------------------------------------------------------------------

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")


def date_bounds(name: str, value: str) -> tuple[str, datetime, datetime]:
    """(prefix, start, end) of a FHIR date value: a year, month, day or instant is the range it
    covers; an instant without offset is UTC."""
    prefix = value[:2] if value[:2] in _PREFIXES else "eq"
    text = value[2:] if value[:2] in _PREFIXES else value
    try:
        match = _PARTIAL.match(text)
        if match:
            year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
            start_day = date(year, month, day)
            if match[3]:
                end_day = start_day + timedelta(days=1)
            elif match[2]:
                end_day = date(year + (month == 12), month % 12 + 1, 1)
            else:
                end_day = date(year + 1, 1, 1)
            start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=UTC)
            end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC)
            return prefix, start, end
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        instant = instant.astimezone(UTC)  # raises for an offset that leaves the calendar
        return prefix, instant, instant + timedelta(seconds=1)
    except (ValueError, OverflowError):
        raise SearchError(name, "must be a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or an instant) "
                                "with an optional prefix eq, ne, gt, lt, ge or le") from None


def date_q(name: str, search: Search, path: str) -> Q:
    """Every occurrence ANDed, the comma-separated values of one ORed."""
    condition = Q()
    for alternatives in search.values(name):
        any_of = Q(pk__in=[])
        for value in alternatives:
            prefix, start, end = date_bounds(name, value)
            any_of |= {
                "eq": Q(**{f"{path}__gte": start, f"{path}__lt": end}),
                "ne": ~Q(**{f"{path}__gte": start, f"{path}__lt": end}),
                "gt": Q(**{f"{path}__gte": end}),
                "ge": Q(**{f"{path}__gte": start}),
                "lt": Q(**{f"{path}__lt": start}),
                "le": Q(**{f"{path}__lt": end}),
            }[prefix]
        condition &= any_of
    return condition


def reference_ids(name: str, values: list[str], kind: str) -> list[int]:
    """``Kind/<id>``, a full URL ending in it, or a bare id: the ids (an unknown form is a
    400; an id of no row just matches nothing)."""
    found = []
    for value in values:
        tail = value.rstrip("/").rsplit("/", 2)
        if len(tail) >= 2 and tail[-2] != kind:
            raise SearchError(name, f"must reference a {kind}")
        number = as_id(tail[-1]) if tail[-1].isdigit() else None
        if number is None:
            raise SearchError(name, f"must be {kind}/<id> or <id>")
        found.append(number if number < 10**18 else 0)
    return found


def reference_q(name: str, search: Search, path: str, kind: str = "Patient") -> Q:
    condition = Q()
    for alternatives in search.values(name):
        condition &= Q(**{f"{path}__in": reference_ids(name, alternatives, kind)})
    return condition


def token(value: str) -> tuple[str | None, str]:
    """``system|code`` as (system, code); a bare code as (None, code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def id_q(search: Search, path: str = "pk") -> Q:
    condition = Q()
    for alternatives in search.values("_id"):
        ids = [as_id(v) for v in alternatives if v.isdigit()]
        condition &= Q(**{f"{path}__in": [i for i in ids if i is not None and i < 10**18]})
    return condition
