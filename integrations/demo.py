"""The demo hospital system: an integration client with a token (seed_demo)."""

from __future__ import annotations

from django.utils import timezone

from tumorboard.demo import DemoPeople
from tumorboard.models import User

from .models import ApiToken
from .services import integration_client_save
from .tokens import token_create

DEMO_INTEGRATION_CLIENT = "his-riverside"


def seed_integration_client(people: DemoPeople) -> tuple[User, str]:
    """The demo hospital system: reads the Riverside breast and spine teams' cases.

    Returns the user and a fresh API token (the previous demo tokens are revoked: a token is
    shown once, so each seeding prints a new one).
    """
    user = integration_client_save(
        username=DEMO_INTEGRATION_CLIENT, institution=people.institution,
        teams=[people.teams["Riverside Breast Service"], people.teams["Riverside Spine Service"]],
    )
    ApiToken.objects.filter(user=user, name="demo", revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    _, raw = token_create(user=user, name="demo")
    return user, raw
