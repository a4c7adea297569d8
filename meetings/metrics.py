"""Quality measures of CLINICAL.md §14, per month, over the cases (and meetings) the requester
may see. Each interval is counted in the month of the event that ends it (the triage decision,
the MDT decision, the operation...), in the service's time zone. Four queries, whatever the
number of rows.

- referral -> triage decision (hours, median): referrals with a decision (accept or decline);
- referral -> MDT decision (days, median): each decision at a finalized meeting, from the latest
  referral of its case raised before it;
- MDT decision -> surgery (days, median): the case's first move into the surgery phase after it;
- suspected cord compression -> plan (hours, median; NICE QS56 target 24 h): decisions on items
  listed with Bilsky 2 or 3, from the case's referral;
- discussed before treatment (share): cases taken to surgery that month with an MDT decision
  before the operation (surgery is the treatment the timeline records);
- decisions carried out at 30 and 90 days (share): decisions old enough to be judged, carried out
  within 30 (90) days;
- meetings with quorum (share): finalized meetings of the month that had quorum;
- whatever a higher app registers with ``register_measure_part`` (followthrough: the 30- and
  90-day implementation shares computed from the follow-through tasks, §15).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.utils import timezone

from cases.access import visible_case_condition
from cases.models import PhaseEvent
from cases.timeline import Phase
from referrals.models import Referral
from tumorboard.models import User

from .models import Decision, MeetingStatus
from .selectors import meeting_list_visible_to

MEASURES = (
    "median_hours_referral_to_triage", "median_days_referral_to_decision",
    "median_days_decision_to_surgery", "median_hours_cord_compression_to_plan",
    "share_discussed_before_treatment", "share_carried_out_30_days",
    "share_carried_out_90_days", "share_meetings_with_quorum",
)  # fmt: skip


#: Measures a higher app computes from its own rows: (user, now) -> {month: {measure: value}},
#: over what the user may see. Registered from the app's ``ready`` (DESIGN.md, Layers).
MeasurePart = Callable[[User, datetime], dict[str, dict[str, Any]]]
_PARTS: dict[str, tuple[tuple[str, ...], MeasurePart]] = {}


def register_measure_part(name: str, measures: tuple[str, ...], part: MeasurePart) -> None:
    _PARTS[name] = (measures, part)


def measure_parts() -> dict[str, tuple[tuple[str, ...], MeasurePart]]:
    return dict(_PARTS)


def _month(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m")


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def monthly_measures(*, user: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per month that has data, newest first: {"month": "YYYY-MM", <measure>: value}."""
    now = now or timezone.now()
    visible = visible_case_condition(user=user, case_ref="case_id")
    buckets: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))

    for created, decided in (Referral.objects.filter(visible, decided_at__isnull=False)
                             .values_list("created_at", "decided_at")):
        assert decided is not None
        buckets[_month(decided)]["triage"].append((decided - created).total_seconds() / 3600)

    decisions = list(Decision.objects.filter(visible_case_condition(user=user,
                                                                    case_ref="item__case_id"),
                                             item__meeting__status=MeetingStatus.FINALIZED)
                     .values_list("item__case_id", "decided_at", "item__max_bilsky",
                                  "carried_out", "carried_out_at"))
    case_ids = {row[0] for row in decisions}
    referrals: dict[int, list[datetime]] = defaultdict(list)
    for case_id, created in (Referral.objects.filter(case_id__in=case_ids)
                             .values_list("case_id", "created_at")):
        referrals[case_id].append(created)
    surgeries: dict[int, list[datetime]] = defaultdict(list)
    for case_id, at in (PhaseEvent.objects.filter(visible, to_phase=Phase.SURGERY)
                        .values_list("case_id", "at")):
        surgeries[case_id].append(at)
    decided_at_by_case: dict[int, list[datetime]] = defaultdict(list)

    for case_id, decided, bilsky, carried_out, carried_out_at in decisions:
        month = buckets[_month(decided)]
        decided_at_by_case[case_id].append(decided)
        before = [at for at in referrals.get(case_id, []) if at <= decided]
        if before:
            start = max(before)
            month["to_decision"].append((decided - start).total_seconds() / 86400)
            if bilsky in ("2", "3"):
                month["compression"].append((decided - start).total_seconds() / 3600)
        after = sorted(at for at in surgeries.get(case_id, []) if at >= decided)
        if after:
            buckets[_month(after[0])]["to_surgery"].append(
                (after[0] - decided).total_seconds() / 86400)
        for days in (30, 90):
            if decided <= now - timedelta(days=days):
                done = bool(carried_out and carried_out_at is not None
                            and (carried_out_at - timezone.localdate(decided)).days <= days)
                month[f"carried_{days}"].append(1.0 if done else 0.0)

    for case_id, dates in surgeries.items():
        for at in dates:
            discussed = any(decided <= at for decided in decided_at_by_case.get(case_id, []))
            buckets[_month(at)]["before_treatment"].append(1.0 if discussed else 0.0)

    for finalized, quorum in (meeting_list_visible_to(user=user)
                              .filter(status=MeetingStatus.FINALIZED)
                              .values_list("finalized_at", "quorum_met")):
        if finalized is not None:
            buckets[_month(finalized)]["quorum"].append(1.0 if quorum else 0.0)

    extra = [(names, part(user, now)) for names, part in _PARTS.values()]
    for _, by_month in extra:
        for key in by_month:
            buckets[key]  # a month with only these measures is a row too
    rows = []
    for key in sorted(buckets, reverse=True):
        b = buckets[key]
        rows.append({
            "month": key,
            "median_hours_referral_to_triage": _median(b["triage"]),
            "median_days_referral_to_decision": _median(b["to_decision"]),
            "median_days_decision_to_surgery": _median(b["to_surgery"]),
            "median_hours_cord_compression_to_plan": _median(b["compression"]),
            "share_discussed_before_treatment": _share(int(sum(b["before_treatment"])),
                                                       len(b["before_treatment"])),
            "share_carried_out_30_days": _share(int(sum(b["carried_30"])), len(b["carried_30"])),
            "share_carried_out_90_days": _share(int(sum(b["carried_90"])), len(b["carried_90"])),
            "share_meetings_with_quorum": _share(int(sum(b["quorum"])), len(b["quorum"])),
            **{name: by_month.get(key, {}).get(name) for names, by_month in extra
               for name in names},
        })
    return rows


__all__ = ["MEASURES", "monthly_measures", "register_measure_part"]
