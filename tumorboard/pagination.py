"""Cursor (keyset) pagination for every API list, so that a polling client misses nothing.

Rows come in ``(updated_at, id)`` order (``ordering_fields`` on the view changes the pair); the
cursor is the key of the last row sent and the next page starts strictly after it. A row inserted
or changed while a client pages gets a newer ``updated_at``, so it lands after the cursor and is
sent once, at the end: no row is skipped or repeated, unlike offsets or page numbers. ``next``
is null on the last page; ``poll`` (never null) is where to ask later for what changed after
this page, so a polling client keeps it instead of a timestamp. No COUNT query.

A row is keyed by the ``updated_at`` its writer set before committing: a transaction that commits
much later than it wrote could land behind a cursor already sent. Writes here are short, and a
client that cares polls with ``updated_since`` a little before its last ``poll``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .converters import MAX_ID


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 200

    def _fields(self, view: Any) -> tuple[str, str]:
        return getattr(view, "ordering_fields", ("updated_at", "id"))

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"an integer from 1 to {self.max_page_size}"]})
        return size

    def _decode(self, raw: str) -> tuple[datetime, int]:
        try:
            at, pk = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==").decode())
            when = parse_datetime(at)
            if (when is None or when.tzinfo is None or not isinstance(pk, int)
                    or isinstance(pk, bool) or not 0 <= pk <= MAX_ID):
                raise ValueError
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, and a shift can leave the
            # calendar (OverflowError): a forged cursor is a 400 like any other.
            return when.astimezone(UTC), pk
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError):
            raise ValidationError(
                {self.cursor_query_param: ["not a cursor from this API"]}) from None

    @staticmethod
    def _encode(at: datetime, pk: int) -> str:
        raw = json.dumps([at.isoformat(), pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request,
                          view: Any = None) -> list[Any]:
        at_field, pk_field = self._fields(view)
        size = self._page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        queryset = queryset.order_by(at_field, pk_field)
        if cursor:
            at, pk = self._decode(cursor)
            queryset = queryset.filter(Q(**{f"{at_field}__gt": at})
                                       | Q(**{at_field: at, f"{pk_field}__gt": pk}))
        rows = list(queryset[: size + 1])
        self.request = request
        full = len(rows) > size
        rows = rows[:size]
        # After the last row sent; with no row, where this request started.
        self.poll_cursor = (self._encode(getattr(rows[-1], at_field), getattr(rows[-1], pk_field))
                            if rows else cursor)
        self.next_cursor = self.poll_cursor if full else None
        return rows

    def _link(self, cursor: str | None) -> str | None:
        url = self.request.build_absolute_uri()
        if cursor is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        return self._link(self.next_cursor) if self.next_cursor else None

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "poll": self._link(self.poll_cursor),
                         "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "poll", "results"],
            "properties": {
                "next": {"type": ["string", "null"], "format": "uri",
                         "description": "the next page; null on the last page"},
                "poll": {"type": "string", "format": "uri",
                         "description": "ask here later for the rows changed after this page"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        at_field, _ = self._fields(view)
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": f"from `next` of the previous page (rows in ({at_field}, id) order)",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"rows per page, 1 to {self.max_page_size} (default "
                            f"{self.page_size})",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]
