"""Shared REST API pieces: one JSON error shape for every endpoint."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with parse errors and non-field messages under stable keys.

    Validation errors stay {"field": ["reason"]}; every other error is {"detail": "..."}.
    """
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"non_field_errors": [f"malformed request body: {exc.detail}"]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
