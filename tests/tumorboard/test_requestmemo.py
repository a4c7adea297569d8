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


@pytest.mark.django_db
def test_a_change_of_access_within_a_request_holds_for_the_rest_of_it(
        care_case, outsider, breast_surgeon) -> None:
    """The rule names the ids of the granting rows it read (cases.access); a grant or a
    revocation made later in the same request (a service that grants, then reads) is seen by
    the request's next query, as it is by the next request."""
    from cases.access import care_team_add, case_list_visible_to
    from cases.models import CareTeamMember

    seen: list[bool] = []

    def view(request: object) -> HttpResponse:
        visible = lambda: case_list_visible_to(user=outsider).filter(  # noqa: E731
            pk=care_case.pk).exists()
        seen.append(visible())
        care_team_add(case=care_case, user=outsider, reason="task_owner",
                      actor=breast_surgeon)
        seen.append(visible())
        CareTeamMember.objects.filter(case=care_case, user=outsider).delete()
        seen.append(visible())
        return HttpResponse()

    RequestMemoMiddleware(view)(RequestFactory().get("/"))
    assert seen == [False, True, False]
