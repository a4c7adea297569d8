"""What a polling client sees of a case: its ``updated_at`` moves whenever anything shown with it
changes, so that ``updated_since`` never misses a change (DESIGN.md, Contracts)."""
from collections.abc import Iterable

from django.utils import timezone

from cases.models import Case


def touch_cases(case_ids: Iterable[int | None]) -> None:
    """Move these cases' ``updated_at`` to now: one UPDATE, no signal, no history row."""
    ids = {case_id for case_id in case_ids if case_id is not None}
    if ids:
        Case.objects.filter(pk__in=ids).update(updated_at=timezone.now())
