"""What the role home pages show beyond the shared lists: each a read in a constant number of
queries, always starting from the visibility selectors (cases.selectors.case_list_visible_to)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from cases.access import case_list_visible_to, visible_case_condition, visible_rows
from cases.models import CareTeamMember, Case, RadiotherapyPlan, SystemicTherapyEpisode
from cases.selectors import case_list_for_display
from cases.systemic import episode_of, plan_view
from cases.timeline import Phase
from meetings.models import (
    OPEN_MEETING_STATUSES,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingStatus,
    Packet,
)
from meetings.selectors import quorum_state
from referrals.models import OPEN_STATUSES, Referral, ReferralStatus, ReferralTrigger
from referrals.selectors import referral_list_for_display
from referrals.services.teams import opened_by_receiving_team
from scoring.calculators import ReferralDirection
from tumorboard.models import User


def phase_links() -> list[tuple[str, str]]:
    """(phase label, value of the case list's ``phase`` filter) in timeline order.

    The home links each phase to the person's cases in it rather than counting them: an exact
    count by phase reads every case the person sees (77 ms for 25,000 at 100k), and a capped
    one still reads every case of a rare phase; the case list counts the one asked for."""
    return [(phase.label, phase.value) for phase in Phase]


#: The unreferred triggers are looked for among the person's most recently updated cases, and
#: their evidence read for this many candidates at a time.
RECENT_CASES = 200
EVIDENCE_CHUNK = 25


def unreferred_triggers(*, user: User, limit: int = 10) -> list[tuple[Any, list[str]]]:
    """Cases whose latest assessment fired breast-to-neuro triggers (CLINICAL.md §8) that no one
    has answered yet. A trigger is answered by

    - an open breast-to-neuro referral of the case (the spine team has it);
    - a referral of the case, in any status, that carries it with the same evidence, or that
      was raised after the assessment that shows it (declined, closed or cancelled included:
      the spine team decided on exactly these findings);
    - a finalized MDT decision on the case that saw it with the same evidence, or was taken
      after that assessment.

    A neurosurgeon-first case (opened by a neurosurgeon of its spine team) is already in the
    spine team's hands: nothing to refer (referrals.services.teams).

    Among the person's 200 most recently updated cases (a bounded read at any size). The query
    of candidates leaves out in SQL the cases answered whatever the evidence (no trigger fired,
    an open referral, a referral or a decision after the assessment); Python then matches the
    evidence of the candidates, 25 at a time, until ``limit`` cases are found (three queries a
    chunk; bench/RESULTS.md, issue 22)."""
    direction = ReferralDirection.BREAST_TO_NEURO.value
    referrals = Referral.objects.filter(case_id=OuterRef("pk"), direction=direction)
    decided_after = Decision.objects.filter(
        item__case_id=OuterRef("pk"), item__meeting__status=MeetingStatus.FINALIZED,
        decided_at__gte=OuterRef("latest_assessment__evaluated_at"))
    # Only the assessment's fired triggers are read, never its JSON whole (inputs and result:
    # ~5 kB a row, 400 decodes a request for 200 cases: bench/RESULTS.md, issue 22).
    # The person's 200 most recently updated cases, then the candidates among them.
    recent = case_list_visible_to(user=user).order_by("-updated_at").values("pk")[:RECENT_CASES]
    cases = (Case.objects.filter(pk__in=recent)
                 # What the list shows: the patient's names and MRN (a case row has some forty
                 # columns, and building them was a millisecond of the home; issue 22).
                 .select_related("patient")
                 .only("pk", "updated_at", "patient", "patient__mrn", "patient__given_name",
                       "patient__family_name")
                 .annotate(fired_triggers=KeyTransform("triggers", "latest_assessment__result"))
                 .filter(latest_assessment__isnull=False)
                 .exclude(latest_assessment__result__triggers=[])
                 .exclude(Exists(referrals.filter(status__in=OPEN_STATUSES)))
                 .exclude(Exists(referrals.filter(
                     created_at__gte=OuterRef("latest_assessment__evaluated_at"))))
                 .exclude(Exists(decided_after))
                 .exclude(opened_by_receiving_team(direction))
                 .order_by("-updated_at", "-pk"))
    # What remains is the evidence, read for the candidates in the order shown, a chunk at a
    # time until ``limit`` rows are found: with a year of closed referrals most recent cases
    # are candidates, and reading all 200 cost the realistic hospital's home most of its time.
    rows: list[tuple[Any, list[str]]] = []
    for start in range(0, RECENT_CASES, EVIDENCE_CHUNK):
        chunk = list(cases[start:start + EVIDENCE_CHUNK])
        rows += _waiting(chunk, direction)
        if len(rows) >= limit or len(chunk) < EVIDENCE_CHUNK:
            break
    return rows[:limit]


def _waiting(cases: list[Any], direction: str) -> list[tuple[Any, list[str]]]:
    """The triggers of ``cases`` that no referral or finalized decision carried with the same
    evidence (two queries)."""
    ids = [case.pk for case in cases]
    answered: dict[int, set[tuple[object, object]]] = defaultdict(set)
    for case_id, code, evidence in ReferralTrigger.objects.filter(
            referral__case_id__in=ids, referral__direction=direction).values_list(
            "referral__case_id", "code", "evidence"):
        answered[case_id].add((code, evidence))
    for case_id, seen in Decision.objects.filter(
            item__case_id__in=ids, item__meeting__status=MeetingStatus.FINALIZED).values_list(
            "item__case_id", "item__snapshot__assessment__result__triggers"):
        answered[case_id] |= {(t.get("code"), t.get("evidence", "")) for t in (seen or [])
                              if isinstance(t, dict)}
    rows = []
    for case in cases:
        fired = [(t["code"], t.get("evidence", ""))
                 for t in (case.fired_triggers or [])
                 if t.get("direction", direction) == direction]
        waiting = [code for code, evidence in fired if (code, evidence) not in answered[case.pk]]
        if waiting:
            rows.append((case, waiting))
    return rows


def upcoming_items(*, user: User, limit: int = 50) -> list[Any]:
    """Agenda items of the person's cases on meetings still to come or running. One query."""

    return list(
        visible_rows(AgendaItem.objects.all(), user=user).filter(
            meeting__status__in=OPEN_MEETING_STATUSES,
            meeting__starts_at__gte=timezone.now() - timedelta(hours=12))
        .select_related("meeting", "case__patient")
        .order_by("meeting__starts_at", "position")[:limit]
    )


def accepted_by(*, user: User) -> list[Any]:
    """Referrals the neurosurgeon accepted that are not closed yet. One query and a prefetch."""

    return list(referral_list_for_display(user=user).filter(
        assignee=user, status__in=[ReferralStatus.ACCEPTED, ReferralStatus.LISTED_FOR_MDT])[:100])


def surgeries(*, user: User) -> list[Any]:
    """Planned operations by date: visible cases with a planned surgery date, pre-operative or in
    surgery. One query."""
    return list(case_list_visible_to(user=user).filter(
        planned_surgery_date__isnull=False, phase__in=[Phase.PRE_OPERATIVE, Phase.SURGERY])
        .select_related("patient").order_by("planned_surgery_date", "pk")[:100])


def assigned_cases(*, user: User) -> list[Any]:
    """Cases the oncologist was added to, on the case form or by the service (the responsible
    clinician of an MDT decision). Two queries (cases, current duties)."""
    added = CareTeamMember.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    added_on_form = Case.oncologists.through.objects.filter(case_id=OuterRef("pk"),
                                                            user_id=user.pk)
    return list(case_list_for_display(user=user)
                .filter(Q(Exists(added_on_form)) | Q(Exists(added)))[:100])


@dataclass
class MeetingState:
    meeting: Any
    items: int = 0
    packet: Any = None
    invited_roles: set[str] = field(default_factory=set)
    quorum: dict[str, Any] = field(default_factory=dict)

    @property
    def invited_missing(self) -> list[str]:
        return [role for role in self.quorum.get("roles", []) if role not in self.invited_roles]


def coordinated_meetings(*, user: User, meetings: list[Any]) -> list[MeetingState]:
    """Agenda size, the person's packet, who is invited and the quorum of each upcoming meeting:
    three queries whatever the number of meetings."""


    ids = [m.pk for m in meetings]
    counts = dict(Meeting.objects.filter(pk__in=ids).annotate(n=Count("items"))
                  .values_list("pk", "n"))
    packets = {p.meeting_id: p for p in Packet.objects.filter(meeting_id__in=ids, audience=user,
                                                               kind="packet")}
    attendances: dict[int, list[Any]] = defaultdict(list)
    for row in Attendance.objects.filter(meeting_id__in=ids).select_related("user"):
        attendances[row.meeting_id].append(row)
    return [
        MeetingState(meeting=m, items=counts.get(m.pk, 0), packet=packets.get(m.pk),
                     invited_roles={a.role for a in attendances[m.pk]},
                     quorum=quorum_state(attendances[m.pk]))
        for m in meetings
    ]


def radiotherapy_plans(*, user: User, limit: int = 50) -> list[Any]:
    """The radiotherapy plans of the cases the user sees that are not finished yet (no actual
    end), soonest start first, each with §16's flags (CLINICAL.md §16). Three queries."""
    plans = list(RadiotherapyPlan.objects
                 .filter(visible_case_condition(user=user, case_ref="case_id"),
                         actual_end__isnull=True)
                 .select_related("case__patient").order_by("planned_start", "pk")[:limit])
    episodes: dict[int, list[Any]] = defaultdict(list)
    for row in SystemicTherapyEpisode.objects.filter(
            case_id__in={plan.case_id for plan in plans}).prefetch_related("holds"):
        episodes[row.case_id].append(episode_of(row))
    return [plan_view(plan, episodes[plan.case_id]) for plan in plans]
