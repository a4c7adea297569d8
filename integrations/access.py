"""What an integration grant adds to the access rule of ``cases.access`` (DESIGN.md, "Who sees
a case"): a hospital system granted a team reads the cases of that team (breast, spine or MDT
team) and everything attached to them (referrals, the meetings and agenda items of the case,
decisions, calendar files). Registered by ``integrations.apps``; grants are audited whatever
made them (admin, the ``create_integration_client`` command, a shell)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from cases.access import audit_access_change
from tumorboard.models import User
from tumorboard.roles import Role

from .models import IntegrationGrant


def granted_cases(user: User) -> Q | None:
    if user.role != Role.INTEGRATION:
        return None
    granted = IntegrationGrant.objects.filter(user_id=user.pk).values("team_id")
    return (Q(breast_team_id__in=granted) | Q(spine_team_id__in=granted)
            | Q(mdt_team_id__in=granted))


def _grant_saved(sender: type, instance: IntegrationGrant, created: bool, **kwargs: Any) -> None:
    if created:
        audit_access_change(granted=True, kind="integration_grant", user_id=instance.user_id,
                            team=instance.team_id)


def _grant_deleted(sender: type, instance: IntegrationGrant, **kwargs: Any) -> None:
    audit_access_change(granted=False, kind="integration_grant", user_id=instance.user_id,
                        team=instance.team_id)


RECEIVERS = (
    (post_save, _grant_saved, IntegrationGrant, "integrations-grant-saved"),
    (post_delete, _grant_deleted, IntegrationGrant, "integrations-grant-deleted"),
)


def connect_receivers() -> None:
    for signal, receiver, sender, uid in RECEIVERS:
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
