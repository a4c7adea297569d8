"""Agenda population: which cases are eligible for a meeting, and in which order.

The order is CLINICAL.md §13, computed by the scoring core's ``priority_key`` and explained by its
``priority_reason``; nothing here re-states the rule. This module only gathers the key's inputs
from rows:

- urgency: the most urgent open referral of the case, else the latest assessment's urgency;
- highest SINS and highest Bilsky grade: the latest assessment (none recorded: they sort last);
- referred at: the earliest open referral's creation, else when the case entered its current
  phase, else when the case was opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from cases.access import visible_case_condition
from cases.models import Case
from cases.timeline import Phase
from referrals.models import OPEN_STATUSES, TO_RADIATION_ONCOLOGY, Referral, ReferralStatus
from scoring.calculators import BilskyGrade, PriorityKey, Urgency, priority_key, priority_reason

from .models import OPEN_MEETING_STATUSES, AgendaItem, Decision, Meeting, MeetingStatus

#: Referral statuses that make a case eligible: triaged in and waiting for the board.
ELIGIBLE_REFERRAL_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.LISTED_FOR_MDT)
_URGENCY_RANK = {Urgency.RED.value: 0, Urgency.ORANGE.value: 1, Urgency.GREEN.value: 2}


@dataclass(frozen=True)
class Priority:
    urgency: str  # "" when none
    max_sins: int | None
    max_bilsky: str  # "" when none
    referred_at: datetime
    key: PriorityKey
    reason: str


def agenda_eligible_cases(*, meeting: Meeting) -> QuerySet[Case]:
    """Cases the meeting's coordinator may list: of the meeting's institution and of its MDT team
    (or of no MDT team yet), visible to the coordinator (cases.access), not on another open
    meeting's agenda, and

    - with an accepted referral (accepted or listed for MDT: a finalized decision closes it), or
    - in the MDT phase and not decided at a finalized meeting since entering it.

    Cases a clinician added by hand are already items of the meeting (``ItemSource.MANUAL``).

    The query starts from the candidates, the cases of an accepted or listed referral united
    with the cases in the MDT phase (``case_phase_idx``), and tests the rules on those rows only:
    its work follows the number of eligible cases, not the size of the hospital (starting from
    every case the coordinator sees took 5.3 s at 100,000 cases, bench/RESULTS.md item 4).
    Ordered by case id: the first form had no ORDER BY, and its sequential scan gave about that."""
    institution_id = meeting.mdt_team.institution_id
    candidates = (
        Referral.objects.filter(status__in=ELIGIBLE_REFERRAL_STATUSES)
        .exclude(direction=TO_RADIATION_ONCOLOGY).order_by()
        .values("case_id")
        .union(Case.objects.filter(phase=Phase.MDT_TUMOR_BOARD).order_by().values("pk"))
    )
    # A radiotherapy referral comes after the board's decision: it never brings a case back.
    accepted = Referral.objects.filter(case=OuterRef("pk"), status__in=ELIGIBLE_REFERRAL_STATUSES
                                       ).exclude(direction=TO_RADIATION_ONCOLOGY)
    # The phase event is joined inside the subquery, which runs for MDT-phase candidates only
    # (an outer join would hash every phase event of the hospital first).
    decided = Decision.objects.filter(item__case=OuterRef("pk"),
                                      item__meeting__status=MeetingStatus.FINALIZED,
                                      decided_at__gte=F("item__case__current_event__at"))
    elsewhere = (AgendaItem.objects.filter(case=OuterRef("pk"),
                                           meeting__status__in=OPEN_MEETING_STATUSES)
                 .exclude(meeting_id=meeting.pk))
    return (
        Case.objects.filter(pk__in=candidates, patient__institution_id=institution_id)
        .filter(Q(mdt_team_id=meeting.mdt_team_id) | Q(mdt_team__isnull=True))
        .filter(visible_case_condition(user=meeting.coordinator))
        .filter(Exists(accepted) | (Q(phase=Phase.MDT_TUMOR_BOARD) & ~Exists(decided)))
        .exclude(Exists(elsewhere))
        # Ties of the §13 key keep this order (a stable sort): by case id, whatever the plan.
        .order_by("pk")
    )


def with_priority_inputs(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The rows ``case_priority`` reads, in two queries whatever the number of cases."""
    return cases.select_related("latest_assessment", "current_event").prefetch_related(
        Prefetch("referrals", queryset=Referral.objects.filter(status__in=OPEN_STATUSES)
                 .only("id", "case_id", "urgency", "created_at", "status"),
                 to_attr="open_referral_list"))


def case_priority(case: Case) -> Priority:
    """The §13 key and reason of one case loaded by ``with_priority_inputs``."""
    referrals: list[Referral] = getattr(case, "open_referral_list", [])
    assessment = case.latest_assessment
    urgencies = [r.urgency for r in referrals if r.urgency]
    if urgencies:
        urgency = min(urgencies, key=_URGENCY_RANK.__getitem__)
    else:
        urgency = assessment.urgency if assessment is not None else ""
    max_sins = assessment.max_sins if assessment is not None else None
    max_bilsky = assessment.max_bilsky if assessment is not None else ""
    if referrals:
        referred_at = min(r.created_at for r in referrals)
    elif case.current_event is not None:
        referred_at = case.current_event.at
    else:
        referred_at = case.created_at
    args = {
        "urgency": Urgency(urgency) if urgency else None,
        "max_sins": max_sins,
        "max_bilsky": BilskyGrade(max_bilsky) if max_bilsky else None,
        "referred_at": referred_at,
    }
    return Priority(urgency=urgency, max_sins=max_sins, max_bilsky=max_bilsky,
                    referred_at=referred_at, key=priority_key(**args),  # type: ignore[arg-type]
                    reason=priority_reason(**args))  # type: ignore[arg-type]
