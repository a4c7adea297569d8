"""Who is alerted on each referral event: ONE table (DESIGN.md, Referral and Alert).

The sending side of a referral is the team on the origin side of its direction (the breast team
for breast-to-neuro, the spine team for neuro-to-breast), whoever recorded the data that raised
it: a neurosurgeon's imaging that fires a breast-to-neuro trigger does not make the neurosurgeon
the one who is asked questions and told the decision. The receiving side is the other team.

| event                         | alert kind            | who                                      |
| ----------------------------- | --------------------- | ---------------------------------------- |
| raised (sent)                 | new_referral          | receiving side, first recipients         |
| new triggers on an open one   | referral_updated      | receiving side, first recipients + taker |
| high-grade compression (§10)  | systemic_therapy_hold | breast oncosurgeons of the breast team   |
| information requested         | info_requested        | sending side                             |
| answered                      | answered              | the taker, else receiving side           |
| accepted or declined          | decided               | sending side                             |
| cancelled                     | cancelled             | the taker, else receiving side           |
| escalation step 1             | escalation_team       | rest of the receiving team (not lead)    |
| escalation step 2             | escalation_lead       | receiving lead and the MDT coordinators  |
| weekend watch (§9b)           | weekend_watch         | the MDT coordinators; orange: + the lead |

The escalation steps are taken in batches by ``referrals.services.escalate_due``, and the weekend
watch by ``referrals.weekend_watch``; both read this table for the side and resolve it for many
referrals at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum

from django.db.models import Q

from scoring.calculators import ReferralDirection, Urgency
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import Role

from .models import TO_RADIATION_ONCOLOGY, AlertKind, Referral


class Side(StrEnum):
    RECEIVING = "receiving"  # first recipients of the receiving team
    RECEIVING_AND_TAKER = "receiving_and_taker"
    TAKER_ELSE_RECEIVING = "taker_else_receiving"
    SENDING = "sending"
    BREAST_SURGEONS = "breast_surgeons"
    RECEIVING_REST = "receiving_rest"  # escalation step 1 (batch)
    LEAD_AND_COORDINATORS = "lead_and_coordinators"  # escalation step 2 (batch)
    COORDINATORS_ORANGE_LEAD = "coordinators_orange_lead"  # the weekend watch (batch)


RECIPIENTS: dict[str, Side] = {
    AlertKind.NEW_REFERRAL: Side.RECEIVING,
    AlertKind.REFERRAL_UPDATED: Side.RECEIVING_AND_TAKER,
    AlertKind.SYSTEMIC_THERAPY_HOLD: Side.BREAST_SURGEONS,
    AlertKind.INFO_REQUESTED: Side.SENDING,
    AlertKind.ANSWERED: Side.TAKER_ELSE_RECEIVING,
    AlertKind.DECIDED: Side.SENDING,
    AlertKind.CANCELLED: Side.TAKER_ELSE_RECEIVING,
    AlertKind.ESCALATION_TEAM: Side.RECEIVING_REST,
    AlertKind.ESCALATION_LEAD: Side.LEAD_AND_COORDINATORS,
    AlertKind.WEEKEND_WATCH: Side.COORDINATORS_ORANGE_LEAD,
}

#: The specialty of each side of a direction: (origin role, receiving role).
ROLES = {
    ReferralDirection.BREAST_TO_NEURO.value: (Role.BREAST_ONCOSURGEON, Role.NEUROSURGEON),
    ReferralDirection.NEURO_TO_BREAST.value: (Role.NEUROSURGEON, Role.BREAST_ONCOSURGEON),
    # The sender of a radiotherapy referral is a surgeon of either side (or the MDT decision):
    # the sending side falls back to every clinician of the sending team.
    TO_RADIATION_ONCOLOGY: (Role.NEUROSURGEON, Role.RADIATION_ONCOLOGIST),
}


def origin_team_ids(case_breast_team_id: int | None, case_spine_team_id: int | None,
                    direction: str) -> tuple[int | None, int | None]:
    """(sending team id, receiving team id) of a referral of ``direction`` on a case."""
    if direction == ReferralDirection.BREAST_TO_NEURO:
        return case_breast_team_id, case_spine_team_id
    return case_spine_team_id, case_breast_team_id


def _members(team_id: int | None) -> list[TeamMembership]:
    if team_id is None:
        return []
    return list(TeamMembership.objects.filter(team_id=team_id, user__is_active=True)
                .select_related("user").order_by("user_id"))


def first_recipients(referral: Referral) -> list[User]:
    """The receiving specialty's members of the receiving team, the lead aside when others can
    take it (the lead is escalation step 2); else the lead; else every active member."""
    members = _members(referral.receiving_team_id)
    role = ROLES[referral.direction][1]
    specialists = [m for m in members if m.user.role == role]
    chosen = [m for m in specialists if not m.is_lead] or specialists
    chosen = chosen or [m for m in members if m.is_lead] or members
    return [m.user for m in chosen]


def sending_side(referral: Referral) -> list[User]:
    """The origin specialty's members of the sending team (the sender among them); else every
    active clinician of that team; a case without a sending team: its MDT coordinators."""
    members = _members(referral.sending_team_id)
    role = ROLES[referral.direction][0]
    people = [m.user for m in members if m.user.role == role]
    people = people or [m.user for m in members if m.user.is_clinician]
    if not people and referral.sending_team_id is None:
        people = coordinators_of([referral])[referral.pk]
    return people


def breast_surgeons(referral: Referral) -> list[User]:
    team_id = referral.case.breast_team_id
    return [m.user for m in _members(team_id) if m.user.role == Role.BREAST_ONCOSURGEON]


def recipients_for(kind: str, referral: Referral) -> list[User]:
    """Who gets an alert of ``kind`` on ``referral`` (the table above); escalation kinds are the
    batch pass's own (``escalate_due``)."""
    side = RECIPIENTS[kind]
    if side is Side.RECEIVING:
        return first_recipients(referral)
    if side is Side.RECEIVING_AND_TAKER:
        people = first_recipients(referral)
        return [*people, referral.assignee] if referral.assignee is not None else people
    if side is Side.TAKER_ELSE_RECEIVING:
        return [referral.assignee] if referral.assignee is not None else first_recipients(referral)
    if side is Side.SENDING:
        return sending_side(referral)
    if side is Side.BREAST_SURGEONS:
        return breast_surgeons(referral)
    raise ValueError(f"{kind}: the escalation pass resolves this side in batches")


def coordinators_of(referrals: Sequence[Referral]) -> dict[int, list[User]]:
    """The MDT coordinators of each referral (by id): of its case's MDT team, else of the MDT
    teams of the receiving team's institution. One query for any number of referrals (the
    escalation pass); each referral needs ``case`` and ``receiving_team`` loaded."""
    team_ids = {r.case.mdt_team_id for r in referrals if r.case.mdt_team_id}
    institution_ids = {r.receiving_team.institution_id for r in referrals
                       if not r.case.mdt_team_id}
    by_team: dict[int, dict[int, User]] = defaultdict(dict)
    by_institution: dict[int, dict[int, User]] = defaultdict(dict)
    memberships = (TeamMembership.objects
                   .filter(Q(team_id__in=team_ids) | Q(team__kind=Team.Kind.MDT,
                                                       team__institution_id__in=institution_ids),
                           user__role=Role.COORDINATOR, user__is_active=True)
                   .select_related("user", "team").order_by("user_id"))
    for m in memberships:
        by_team[m.team_id][m.user_id] = m.user
        if m.team.kind == Team.Kind.MDT:
            by_institution[m.team.institution_id][m.user_id] = m.user
    return {r.pk: list((by_team[r.case.mdt_team_id] if r.case.mdt_team_id
                        else by_institution[r.receiving_team.institution_id]).values())
            for r in referrals}


def leads_of(referrals: Sequence[Referral]) -> dict[int, list[User]]:
    """The active lead of each referral's receiving team (by referral id): one query."""
    leads: dict[int, list[User]] = defaultdict(list)
    for m in (TeamMembership.objects
              .filter(team_id__in={r.receiving_team_id for r in referrals}, is_lead=True,
                      user__is_active=True).select_related("user")):
        leads[m.team_id].append(m.user)
    return {r.pk: leads[r.receiving_team_id] for r in referrals}


def weekend_watch_recipients(referrals: Sequence[Referral]) -> dict[int, list[User]]:
    """The weekend watch (CLINICAL.md §9b): the MDT coordinators of each referral, and for an
    ``orange`` one the receiving team's lead as well. Two queries for any number of referrals;
    each needs ``case`` and ``receiving_team`` loaded."""
    coordinators = coordinators_of(referrals)
    orange = [r for r in referrals if r.urgency == Urgency.ORANGE]
    leads = leads_of(orange) if orange else {}
    return {r.pk: [*coordinators[r.pk], *leads.get(r.pk, [])] for r in referrals}
