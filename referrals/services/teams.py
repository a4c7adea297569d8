"""The teams and people of a referral: who sends and receives it, who is a party to it, and the
guard that keeps a team on a case while an open referral involves it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cases.models import Case
from scoring.calculators import ReferralDirection
from tumorboard.errors import Conflict
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import Role

from ..models import OPEN_STATUSES, TO_RADIATION_ONCOLOGY, Referral
from ..selectors import parties, user_team_ids
from ..states import Party


def radiation_team(case: Case) -> Team | None:
    """The radiation oncology service of the patient's institution (the first, by id)."""
    return (Team.objects.filter(kind=Team.Kind.RADIATION,
                                institution_id=case.patient.institution_id)
            .order_by("pk").first())


def teams_for(case: Case, direction: str) -> tuple[Team | None, Team | None]:
    """(sending team, receiving team) of a referral of ``direction`` on ``case``. To radiation
    oncology: from the spine team (after separation surgery) or else the breast team."""
    if direction == TO_RADIATION_ONCOLOGY:
        return case.spine_team or case.breast_team, radiation_team(case)
    if direction == ReferralDirection.BREAST_TO_NEURO:
        return case.breast_team, case.spine_team
    return case.spine_team, case.breast_team


#: The clinician of the receiving side of each direction: a case this clinician opened is already
#: in the receiving team's hands (the neurosurgeon-first path), so the rules refer nothing to it.
RECEIVING_ROLE = {ReferralDirection.BREAST_TO_NEURO.value: Role.NEUROSURGEON,
                  ReferralDirection.NEURO_TO_BREAST.value: Role.BREAST_ONCOSURGEON,
                  TO_RADIATION_ONCOLOGY: Role.RADIATION_ONCOLOGIST}


def opened_by_receiving_team(direction: str) -> Q:
    """Cases (as a filter on ``Case``) whose opener is a clinician of the receiving side and a
    member of the receiving team of ``direction``: the query form of ``refers_to_itself``."""
    team = "spine_team_id" if direction == ReferralDirection.BREAST_TO_NEURO else "breast_team_id"
    return Q(created_by__role=RECEIVING_ROLE[direction]) & Q(Exists(
        TeamMembership.objects.filter(team_id=OuterRef(team), user_id=OuterRef("created_by_id"))))


def refers_to_itself(case: Case, direction: str, sending_team: Team | None,
                     receiving_team: Team) -> bool:
    """A team never refers a patient to itself: the sending team is the receiving team, or the
    case was opened by a clinician of the receiving team (a neurosurgeon-first patient: the
    breast-to-neuro rules would refer the neurosurgeon's own patient to their own team)."""
    if sending_team is not None and sending_team.pk == receiving_team.pk:
        return True
    opener = case.created_by
    return opener.role == RECEIVING_ROLE[direction] and is_member(opener, receiving_team.pk)


def is_member(user: User, team_id: int | None) -> bool:
    return team_id is not None and TeamMembership.objects.filter(
        team_id=team_id, user_id=user.pk).exists()


def referral_party(*, referral: Referral, user: User) -> set[Party]:
    """The parties ``user`` acts as on ``referral`` (referrals.selectors.parties)."""
    return parties(referral, user=user, team_ids=user_team_ids(user))


class TeamHasOpenReferral(Conflict):
    """A team that an open referral of the case involves cannot leave the case (HTTP 409): the
    referral would be left with nobody to triage it, or nobody to answer its questions."""

    def __init__(self, *, field: str, referral_id: int) -> None:
        self.field, self.referral_id = field, referral_id
        super().__init__(f"the {field.replace('_', ' ')} cannot change while open referral "
                         f"{referral_id} involves it: close or cancel the referral first")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "field": self.field, "referral": self.referral_id}


def guard_team_change(case: Case, field: str, old_team_id: int) -> None:
    """Registered with cases.services (referrals.apps): refuses to take a team off a case while
    an open referral of the case is sent by it or to it."""
    referral_id = (Referral.objects
                   .filter(Q(receiving_team_id=old_team_id) | Q(sending_team_id=old_team_id),
                           case_id=case.pk, status__in=OPEN_STATUSES)
                   .values_list("pk", flat=True).first())
    if referral_id is not None:
        raise TeamHasOpenReferral(field=field, referral_id=referral_id)
