"""The capped counts of the pages' lists and of the bell (issue 22): exact below the cap, "more
than N" above it, and a count that reads at most cap + 1 rows whatever the table's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.selectors import bell_words
from tumorboard.models import Institution
from tumorboard.paging import CappedPaginator

pytestmark = pytest.mark.django_db


class SmallCap(CappedPaginator):
    cap = 5


@pytest.fixture
def institutions() -> None:
    Institution.objects.bulk_create(
        [Institution(name=f"Hospital {n}", code=f"h{n}") for n in range(12)])


def test_below_the_cap_the_count_and_the_pages_are_exact(institutions) -> None:
    paginator = CappedPaginator(Institution.objects.order_by("pk"), 5)
    assert paginator.count == 12 and not paginator.capped
    assert paginator.count_words == "12" and paginator.num_pages_words == "3"
    assert [i.code for i in paginator.get_page(3)] == ["h10", "h11"]


def test_past_the_cap_the_list_says_more_than_and_its_pages_stop_there(institutions) -> None:
    paginator = SmallCap(Institution.objects.order_by("pk"), 2)
    assert paginator.count == 6 and paginator.capped
    assert paginator.count_words == "more than 5"
    assert paginator.num_pages == 3 and paginator.num_pages_words == "3+"
    # A page past the cap gives the last page within it, the rows in their order.
    assert [i.code for i in paginator.get_page(99)] == ["h4", "h5"]


def test_the_count_reads_at_most_cap_plus_one_rows(institutions) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert SmallCap(Institution.objects.order_by("pk"), 2).count == 6
    (count,) = queries.captured_queries
    assert "LIMIT 6" in count["sql"].upper()


def test_the_bell_shows_its_number_up_to_99_then_99_plus() -> None:
    assert bell_words(1) == "1"
    assert bell_words(99) == "99"
    assert bell_words(100) == "99+"
