"""Referral quality measures per receiving team (CLINICAL.md §14): time from referral to
acknowledgement and to the triage decision, and the share overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.utils import timezone

from tumorboard.models import User

from .models import AWAITING_TRIAGE, ReferralStatus
from .selectors import referral_list_visible_to


@dataclass
class TeamMetrics:
    team: str
    referrals: int
    median_hours_to_acknowledge: float | None
    median_hours_to_decision: float | None
    overdue_share: float | None  # of referrals with a due time: decided late or still waiting


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def team_metrics(*, user: User, now: datetime | None = None) -> list[TeamMetrics]:
    """One query: the visible referrals received by the user's teams."""
    now = now or timezone.now()
    rows = (referral_list_visible_to(user=user)
            .filter(receiving_team__memberships__user=user)
            .exclude(status=ReferralStatus.CANCELLED)
            .values_list("receiving_team__name", "sent_at", "acknowledged_at", "decided_at",
                         "due_at", "status"))
    by_team: dict[str, list[tuple]] = {}
    for row in rows:
        by_team.setdefault(row[0], []).append(row[1:])
    out = []
    for team, items in sorted(by_team.items()):
        acks = [h for s, a, _d, _due, _st in items if (h := _hours(s, a)) is not None]
        decisions = [h for s, _a, d, _due, _st in items if (h := _hours(s, d)) is not None]
        with_due = [(d, due, st) for _s, _a, d, due, st in items if due is not None]
        late = sum(1 for d, due, st in with_due
                   if (d is not None and d > due) or (st in AWAITING_TRIAGE and due < now))
        out.append(TeamMetrics(
            team=team, referrals=len(items),
            median_hours_to_acknowledge=round(median(acks), 1) if acks else None,
            median_hours_to_decision=round(median(decisions), 1) if decisions else None,
            overdue_share=round(late / len(with_due), 3) if with_due else None,
        ))
    return out
