"""What an integration grant adds to the access rule of ``cases.access`` (DESIGN.md, "Who sees
a case"): a hospital system granted a team reads the cases of that team (breast, spine or MDT
team) and everything attached to them (referrals, the meetings and agenda items of the case,
decisions, calendar files). Registered by ``integrations.apps``; grants are audited whatever
made them (admin, the ``create_integration_client`` command, a shell)."""

from __future__ import annotations

from django.db.models import Q

from cases.access import audit_access_rows
from tumorboard.models import User
from tumorboard.roles import Role

from .models import IntegrationGrant


def granted_cases(user: User) -> Q | None:
    if user.role != Role.INTEGRATION:
        return None
    # Read now, once per request (cases.access builds the rule from ids).
    granted = list(IntegrationGrant.objects.filter(user_id=user.pk)
                   .values_list("team_id", flat=True))
    if not granted:
        return None
    return (Q(breast_team_id__in=granted) | Q(spine_team_id__in=granted)
            | Q(mdt_team_id__in=granted))


def connect_receivers() -> None:
    audit_access_rows(IntegrationGrant, kind="integration_grant",
                      detail=lambda row: {"team": row.team_id})
