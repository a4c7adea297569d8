"""``tumorboard.lookups.one_by_pk``: the row a URL names, among the rows the caller may see,
fetched without an ORDER BY (Django hashes every selected column to compile one)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.access import case_list_visible_to
from tests.factories import create_case
from tumorboard.lookups import as_id, one_by_pk

pytestmark = pytest.mark.django_db


def test_the_named_visible_row_or_none(breast_surgeon, teams, outsider,
                                       django_assert_num_queries) -> None:
    case = create_case(actor=breast_surgeon, **teams)
    rows = case_list_visible_to(user=breast_surgeon).select_related("patient", "latest_assessment")
    with CaptureQueriesContext(connection) as queries:
        found = one_by_pk(rows, case.pk)
    assert found == case and found.patient == case.patient
    (select,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT \"")]
    assert "ORDER BY" not in select and "LIMIT 1" in select
    assert one_by_pk(rows, case.pk + 1000) is None
    assert one_by_pk(case_list_visible_to(user=outsider), case.pk) is None
    with django_assert_num_queries(0):
        assert one_by_pk(rows, as_id("not-an-id")) is None
