"""The API's one error mechanism (tumorboard.api_errors): what a view or service raises becomes
the documented JSON answer, whichever app raised it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.test import override_settings
from rest_framework import exceptions
from rest_framework.response import Response

from tumorboard.api_errors import errors, exception_handler, validated
from tumorboard.errors import Conflict


def _answer(exc: Exception) -> tuple[int, object]:
    response = exception_handler(exc, {})
    assert isinstance(response, Response)
    return response.status_code, json.loads(json.dumps(response.data))


def test_a_validation_error_is_a_400_naming_each_field() -> None:
    error = ValidationError({"case": "no such case among yours", NON_FIELD_ERRORS: ["both"]})
    assert _answer(error) == (400, {"case": ["no such case among yours"],
                                    "non_field_errors": ["both"]})
    assert _answer(ValidationError("bad credentials")) == (
        400, {"non_field_errors": ["bad credentials"]})


def test_a_permission_refusal_is_a_403_with_its_reason() -> None:
    assert _answer(PermissionDenied("only the chair may do this")) == (
        403, {"detail": "only the chair may do this"})


def test_a_conflict_is_a_409_with_its_payload() -> None:
    class Stale(Conflict):
        def payload(self) -> dict[str, object]:
            return {"detail": str(self), "current_version": 3}

    assert _answer(Stale("stale version")) == (409, {"detail": "stale version",
                                                     "current_version": 3})
    assert _answer(Conflict("busy")) == (409, {"detail": "busy"})


def test_a_body_drf_cannot_parse_keeps_the_non_field_shape() -> None:
    status, body = _answer(exceptions.ParseError("JSON parse error"))
    assert status == 400 and body == {"non_field_errors": ["malformed request body: "
                                                           "JSON parse error"]}


@override_settings(LANGUAGE_CODE="en")
def test_a_refused_body_is_the_serializers_own_errors() -> None:
    from rest_framework import serializers

    class Probe(serializers.Serializer):
        name = serializers.CharField(max_length=3)

    with pytest.raises(exceptions.ValidationError) as caught:
        validated(Probe, {"name": "long"})
    assert _answer(caught.value) == (400, {"name": ["Ensure this field has no more than 3 "
                                                    "characters."]})
    assert validated(Probe, {"name": "abc"}) == {"name": "abc"}


def test_every_endpoint_documents_the_same_error_answers() -> None:
    assert errors(400, 404)[400] is errors(400)[400]
    assert set(errors(400, 401, 403, 404, 429)) == {400, 401, 403, 404, 429}
