"""The per-request memo (issue 22): one computation per request and key, none kept after it,
and the access rule's lists refuse a filtered queryset without a name of its own."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cases.access import visible_rows
from cases.models import Case
from tumorboard.requestmemo import RequestMemoMiddleware, memoized


def test_a_value_is_built_once_per_request_and_never_outside_one() -> None:
    built: list[str] = []

    def build(tag: str) -> str:
        built.append(tag)
        return tag

    def view(request: object) -> HttpResponse:
        assert memoized("k", lambda: build("first")) == "first"
        assert memoized("k", lambda: build("again")) == "first"
        return HttpResponse()

    middleware = RequestMemoMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))  # a new request builds anew
    assert built == ["first", "first"]
    memoized("k", lambda: build("outside"))
    memoized("k", lambda: build("outside"))
    assert built == ["first", "first", "outside", "outside"]


@pytest.mark.django_db
def test_a_filtered_queryset_needs_a_name_of_its_own(breast_surgeon) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        visible_rows(Case.objects.filter(phase="surgery"), user=breast_surgeon, case_ref="pk")
    assert list(visible_rows(Case.objects.filter(phase="surgery"), user=breast_surgeon,
                             case_ref="pk", name="surgery")) == []
