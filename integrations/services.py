"""Writes of the integrations app: integration clients, their grants and webhook subscriptions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tumorboard.models import Institution, Team, User
from tumorboard.roles import Role

from . import destinations, webhooks
from .models import IntegrationGrant, WebhookSubscription

log = logging.getLogger(__name__)


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


def webhook_subscribe(*, owner: User, url: str, events: list[str]) -> WebhookSubscription:
    """Register a webhook of an integration client (its secret is generated here).

    The destination must pass ``integrations.destinations`` and the client may hold at most
    ``WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT`` subscriptions: the owner's row is locked while
    counting, so that parallel registrations cannot pass the cap together.
    """
    if owner.role != Role.INTEGRATION:
        raise ValidationError({"owner": "only an integration client holds webhooks"})
    try:
        destinations.check_registration(url)
    except destinations.DestinationRefused as refusal:
        raise ValidationError({"url": str(refusal)}) from None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=owner.pk).first()
        cap = settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT
        if WebhookSubscription.objects.filter(owner=owner).count() >= cap:
            raise ValidationError({"non_field_errors": (
                f"at most {cap} webhook subscriptions per client: delete one first")})
        return WebhookSubscription.objects.create(owner=owner, url=url, events=events,
                                                  secret=webhooks.new_secret())


def webhook_rotate_secret(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new signing secret (returned once to the caller); the old one keeps signing too, as a
    second signature, for ``WEBHOOK_SECRET_OVERLAP_SECONDS``, so that the receiver can switch
    without losing an event. A second rotation within the overlap ends the first one's."""
    with transaction.atomic():
        row = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        row.previous_secret, row.secret = row.secret, webhooks.new_secret()
        row.previous_secret_expires_at = timezone.now() + timedelta(
            seconds=settings.WEBHOOK_SECRET_OVERLAP_SECONDS)
        row.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    log.info("webhook %s: signing secret rotated", row.pk)
    return row
