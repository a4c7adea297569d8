"""Shared REST API pieces: one JSON error shape for every endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
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
