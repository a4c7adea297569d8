"""One error mechanism for the whole REST API: views and services raise, one handler answers.

- Django's ``ValidationError`` (a service's refusal, or a view refusing an id in the body that
  the caller may not use) and DRF's (``validated``: a body its serializer refuses) are a 400
  ``{"<field>": ["reason", ...]}``, with ``non_field_errors`` for the rest;
- Django's ``PermissionDenied`` is a 403 ``{"detail": ...}``;
- a ``tumorboard.errors.Conflict`` is a 409 with its ``payload()`` (what the client needs to
  recover: the allowed actions, the current version...);
- a body DRF cannot parse is a 400 under ``non_field_errors`` (the shape of tumorboard.apibody);
- everything else is DRF's own answer (401, 404 ``{"detail": ...}``, 405, 429...).

``exception_handler`` is settings ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``. ``errors(...)``
documents the same answers for drf-spectacular, once for every endpoint; the 409 bodies differ by
app, so each app documents its own next to them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ``ValidationError`` as the API's 400 body: field -> reasons."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    return {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): reasons
        for name, reasons in error.message_dict.items()
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal of the API as its documented JSON answer (module docstring)."""
    if isinstance(exc, ValidationError):
        return Response(field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response(exc.payload(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"non_field_errors": [f"malformed request body: {exc.detail}"]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)


def validated(serializer_class: type[Any], data: Any,
              **kwargs: Any) -> dict[str, Any]:
    """The body checked by ``serializer_class``; a refused body is the 400 of the handler."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- the same answers, documented (drf-spectacular) ------------------------------------------


class FieldErrorsSerializer(serializers.Serializer):
    """A 400 body: ``{"<field>": ["reason", ...], ...}``; ``non_field_errors`` for the rest."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


_ANSWERS = {
    400: OpenApiResponse(FieldErrorsSerializer, description="field -> reasons; nothing saved"),
    401: OpenApiResponse(description="not authenticated"),
    403: OpenApiResponse(description="visible to you, but your role or team may not do this"),
    404: OpenApiResponse(description="no such object among yours"),
    429: OpenApiResponse(description="rate limit reached; Retry-After says when to come back"),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The shared documented answers for ``codes`` (400, 401, 403, 404, 429), to spread into an
    ``extend_schema(responses=...)`` next to the endpoint's own answers."""
    return {code: _ANSWERS[code] for code in codes}
