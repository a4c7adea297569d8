"""The acute-deficit clock, CLINICAL.md §9a (S2 §3.2, the "six-hour window").

When a neurological deficit is recorded (Frankel A-D or a stated deficit, §6), its onset is
recorded with it: a date and hour, or "unknown". The triage queue, the case page, the referral
and the meeting page show the time since onset and the six-hour mark while the deficit is under
48 hours old (``deficit_clock``). ``onset_errors`` is the one rule the case form and the API
apply to what a person typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from scoring.calculators import has_neurological_deficit

#: S2 §3.2: decompression within 6 h of acute deterioration gives the best recovery.
SIX_HOUR_MARK = timedelta(hours=6)
#: §9a: the clock is shown while the deficit is under 48 h old.
SHOWN_FOR = timedelta(hours=48)

ONSET_REQUIRED = ("a neurological deficit is recorded: give the date and hour it began, or "
                  "tick “Deficit onset unknown”")
ONSET_BOTH = "give either the date and hour or “Deficit onset unknown”, not both"
ONSET_FUTURE = "cannot be in the future"


def deficit_recorded(frankel: object, neurological_deficit: object) -> bool:
    """Frankel A-D, or a stated deficit (§6); a blank Frankel counts only the stated one."""
    if isinstance(frankel, str) and frankel:
        return has_neurological_deficit(frankel=frankel,  # type: ignore[arg-type]
                                        stated_deficit=neurological_deficit is True)
    return neurological_deficit is True


def onset_errors(values: dict[str, Any], *, now: datetime | None = None) -> dict[str, str]:
    """Errors of the onset fields in ``values`` (the case's fields as they would be saved),
    keyed by field name: empty when they are consistent."""
    now = now or timezone.now()
    onset, unknown = values.get("deficit_onset_at"), bool(values.get("deficit_onset_unknown"))
    if onset is not None and unknown:
        return {"deficit_onset_at": ONSET_BOTH}
    if onset is not None and onset > now:
        return {"deficit_onset_at": ONSET_FUTURE}
    if (onset is None and not unknown
            and deficit_recorded(values.get("frankel"), values.get("neurological_deficit"))):
        return {"deficit_onset_at": ONSET_REQUIRED}
    return {}


@dataclass(frozen=True, slots=True)
class DeficitClock:
    onset_at: datetime
    elapsed: timedelta
    mark_at: datetime

    @property
    def passed(self) -> bool:
        return self.elapsed >= SIX_HOUR_MARK


def deficit_clock(case: Any, *, now: datetime | None = None) -> DeficitClock | None:
    """The clock of ``case``'s deficit, or ``None``: no deficit, no known onset, or an onset
    48 h or more ago."""
    onset = getattr(case, "deficit_onset_at", None)
    if onset is None or not deficit_recorded(case.frankel, case.neurological_deficit):
        return None
    now = now or timezone.now()
    elapsed = now - onset
    if not timedelta(0) <= elapsed < SHOWN_FOR:
        return None
    return DeficitClock(onset_at=onset, elapsed=elapsed, mark_at=onset + SIX_HOUR_MARK)


def duration_words(elapsed: timedelta) -> str:
    """``3 h 20 min``, ``45 min``: whole minutes, as people say it."""
    minutes = int(elapsed.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def clock_words(clock: DeficitClock, *, now: datetime | None = None) -> str:
    """``weakness began 3 h 20 min ago; the 6-hour mark is at 02:40`` in the active (viewer's)
    time zone; the day is named when the mark is not today."""
    now_local = timezone.localtime(now or timezone.now())
    mark = timezone.localtime(clock.mark_at)
    at = f"{mark:%H:%M}"
    if mark.date() != now_local.date():
        at = f"{mark:%a} {mark.day} {mark:%b} {at}"
    began = f"weakness began {duration_words(clock.elapsed)} ago"
    if clock.passed:
        return f"{began}; the 6-hour mark passed at {at}"
    return f"{began}; the 6-hour mark is at {at}"
