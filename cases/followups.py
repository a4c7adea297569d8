"""Follow-up visits back into the pathway (CLINICAL.md §18, S2 §8): which findings of a visit
re-enter spine-metastasis detection, and which neurology and performance status is current.

Plain functions over rows; the writes are ``cases.services.followup_create``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from scoring.calculators import Frankel

from .models import Case, FollowUpVisit, LocalControl
from .timeline import Phase

#: *Service policy v1* (judgment call, named and versioned): the findings of a visit that
#: re-enter spine-metastasis detection (CLINICAL.md §18), with the words that carry them as
#: evidence. A "new deficit" is a Frankel grade worse than the one recorded before the visit
#: (or a Frankel A-D with none recorded before): §6 makes Frankel A-D a deficit.
FOLLOWUP_REENTRY_VERSION: Final = "1"
REENTRY_FINDINGS: Final[Mapping[str, str]] = MappingProxyType({
    "new_spinal_lesions": "new spinal lesions on imaging",
    "local_progression": "local progression",
    "new_deficit": "a new neurological deficit",
})

#: The phases a re-entry moves back to spine-metastasis detection from: the timeline's own move
#: "Progression on surveillance" (cases.timeline). Earlier phases are in the pathway already.
REENTRY_FROM_PHASES: Final = (Phase.SURVEILLANCE,)

_FRANKEL_ORDER: Final = {grade.value: rank for rank, grade in enumerate(Frankel)}  # A worst


def reentry_findings(visit: FollowUpVisit, *, frankel_before: str) -> list[str]:
    """The codes of REENTRY_FINDINGS that ``visit`` records, in the table's order.

    ``frankel_before`` is the case's Frankel grade before the visit ("" when none was recorded).
    """
    found = []
    if visit.new_spinal_lesions is True:
        found.append("new_spinal_lesions")
    if visit.local_control == LocalControl.PROGRESSION:
        found.append("local_progression")
    now_rank = _FRANKEL_ORDER.get(visit.frankel)
    before_rank = _FRANKEL_ORDER.get(frankel_before, _FRANKEL_ORDER[Frankel.E.value])
    if now_rank is not None and visit.frankel != Frankel.E.value and now_rank < before_rank:
        found.append("new_deficit")
    return found


def reentry_evidence(visit: FollowUpVisit, codes: Sequence[str]) -> str:
    """The evidence a referral carries for a re-entry: the visit date and its findings (no
    patient identifier: it travels in alerts and e-mails)."""
    findings = "; ".join(REENTRY_FINDINGS[code] for code in codes)
    detail = f" (Frankel {visit.frankel})" if "new_deficit" in codes else ""
    return f"Follow-up visit of {visit.visit_date:%d %b %Y}: {findings}{detail}."


@dataclass(frozen=True)
class CurrentStatus:
    """The latest neurology and performance status of a case, and where it was recorded."""

    frankel: str
    asia: str
    ecog: int | None
    kps: int | None
    recorded_on: date | None
    source: str  # "follow-up visit" or "case record"


def current_status(case: Case, followups: Sequence[FollowUpVisit]) -> CurrentStatus:
    """Whichever was recorded last, the case record or the latest follow-up visit (§18).

    A visit copies its neurology and performance status onto the case
    (``followup_create``), so the case holds the current values; they come from the latest
    visit while the case still shows that visit's values, else from a later edit of the case.
    """
    latest = followups[-1] if followups else None
    if latest is not None and (case.frankel, case.kps, case.ecog) == (
            latest.frankel, latest.kps, latest.ecog):
        return CurrentStatus(case.frankel, case.asia, case.ecog, case.kps, latest.visit_date,
                             "follow-up visit")
    return CurrentStatus(case.frankel, case.asia, case.ecog, case.kps,
                         case.updated_at.date() if case.updated_at else None, "case record")
