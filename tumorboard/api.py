"""Shared REST API pieces: one JSON error shape for every endpoint."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict

T = TypeVar("T")


class Refused(Exception):
    """An answer prepared by a view (a 400 naming a field, a 409...), sent as it is."""

    def __init__(self, response: Response) -> None:
        self.response = response


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ``ValidationError`` as the API's 400 body: field -> reasons."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    return {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): reasons
        for name, reasons in error.message_dict.items()
    }


def run_service(call: Callable[[], T]) -> T:
    """Run a service; its refusals become the documented HTTP answers (400, 403, 409)."""
    try:
        return call()
    except ValidationError as error:
        raise Refused(Response(field_errors(error), status=status.HTTP_400_BAD_REQUEST)) from None
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error)) from None
    except Conflict as error:
        raise Refused(Response(error.payload(), status=status.HTTP_409_CONFLICT)) from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with parse errors and non-field messages under stable keys.

    Validation errors stay {"field": ["reason"]}; every other error is {"detail": "..."}.
    """
    if isinstance(exc, Refused):
        return exc.response
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"non_field_errors": [f"malformed request body: {exc.detail}"]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)


# --- conditional GET (polling clients) -------------------------------------------------------

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False,
    description="the ETag of the copy you hold: 304 with no body when it is still current")
NOT_MODIFIED = OpenApiResponse(description="not modified since the ETag sent in If-None-Match")
TOO_MANY = OpenApiResponse(description="rate limit reached; Retry-After says when to come back")


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
                   401: OpenApiResponse(description="not authenticated"), 429: TOO_MANY},
        tags=["service"],
    )
    def get(self, request: Request) -> Response:
        return Response({"ok": True})
