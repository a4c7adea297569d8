"""The teams and people of a referral: who sends and receives it, who is a party to it, and the
guard that keeps a team on a case while an open referral involves it."""

from __future__ import annotations

from django.db.models import Q

from cases.models import Case
from scoring.calculators import ReferralDirection
from tumorboard.errors import Conflict
from tumorboard.models import Team, TeamMembership, User

from ..models import OPEN_STATUSES, Referral
from ..selectors import parties, user_team_ids
from ..states import Party


def teams_for(case: Case, direction: str) -> tuple[Team | None, Team | None]:
    """(sending team, receiving team) of a referral of ``direction`` on ``case``."""
    if direction == ReferralDirection.BREAST_TO_NEURO:
        return case.breast_team, case.spine_team
    return case.spine_team, case.breast_team


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
