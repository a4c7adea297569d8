"""Numbered pages for the lists of the pages (case list, triage queue, homes) whose count stays
cheap however long the list grows (issue 22).

Django's ``Paginator`` counts every row to number the pages: at 100k cases that COUNT read
25,000 rows of a neurosurgeon's queue for every request (48 ms), and a person never pages that
far. ``CappedPaginator`` counts up to ``COUNT_CAP`` rows (``SELECT COUNT(*) FROM (... LIMIT
cap + 1)``): below the cap everything is exact; above it the list says "more than 500" and
its pages run to the cap, the most urgent or most recent first, to be narrowed by search and
filters. The API lists page by cursor (``tumorboard.pagination``) and count nothing.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

#: Rows counted at most; past it a list reads "more than 500" (ten pages of 50).
COUNT_CAP = 500


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``cap + 1`` when there are more than ``cap``."""
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        # The ids alone: a list's annotations (the user's teams on a referral) are not counted.
        return rows.values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_words(self) -> str:
        """"12", or "more than 500" past the cap."""
        return f"more than {self.cap:,}" if self.capped else str(self.count)

    @property
    def num_pages_words(self) -> str:
        """"3", or "11+" past the cap (the pages shown stop at the cap)."""
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)
