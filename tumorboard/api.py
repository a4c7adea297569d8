"""Shared REST API pieces: conditional GET for polling clients, and the ping endpoint. Errors:
tumorboard.api_errors."""

from __future__ import annotations

import hashlib
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_errors import errors

# --- conditional GET (polling clients) -------------------------------------------------------

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False,
    description="the ETag of the copy you hold: 304 with no body when it is still current")
NOT_MODIFIED = OpenApiResponse(description="not modified since the ETag sent in If-None-Match")


def etag_of(data: Any) -> str:
    """A strong ETag: the digest of the JSON the caller would receive.

    It covers the row and the caller's view of it (allowed actions, visible agenda items), so two
    people never share a stale copy; computed from the body, it cannot drift from it.
    """
    return '"' + hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:32] + '"'


def conditional_response(request: Request, data: Any) -> Response:
    """``data`` with its ETag, or a 304 when ``If-None-Match`` names that ETag already."""
    etag = etag_of(data)
    sent = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if etag in tags or "*" in tags:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag})


class PingView(APIView):
    """``GET /api/v1/ping/``: checks the caller's credentials and does nothing else.

    Lets a hospital system test its token without touching patient data; the benchmarks use it
    as the baseline that every other endpoint's latency is compared with.
    """

    @extend_schema(
        operation_id="ping",
        responses={200: inline_serializer("Ping", {"ok": serializers.BooleanField()}),
                   **errors(401, 429)},
        tags=["service"],
    )
    def get(self, request: Request) -> Response:
        return Response({"ok": True})
