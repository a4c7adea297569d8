"""Writes of the integrations app: integration clients and their grants."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from tumorboard.models import Institution, Team, User
from tumorboard.roles import Role

from .models import IntegrationGrant


@transaction.atomic
def integration_client_save(*, username: str, teams: Iterable[Team],
                            institution: Institution | None = None,
                            granted_by: User | None = None) -> User:
    """Create (or bring up to date) the user of another hospital system and its grants.

    The user has no usable password: it never logs into the pages, only calls the API with a
    token. Grants not listed are withdrawn.
    """
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"role": Role.INTEGRATION, "institution": institution, "is_staff": False,
                  "is_superuser": False, "is_active": True},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    team_list = list(teams)
    IntegrationGrant.objects.filter(user=user).exclude(team__in=team_list).delete()
    for team in team_list:
        IntegrationGrant.objects.get_or_create(user=user, team=team,
                                               defaults={"granted_by": granted_by})
    return user
