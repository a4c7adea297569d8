"""API tokens, the teams an integration client is granted, and webhooks (subscriptions and the
delivery outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from tumorboard.models import Team


class TokenOwnerChange(Exception):
    """A token's user never changes: otherwise whoever may edit a token (an administrator in
    the admin, a shell) reads patient data under a clinician's name."""

    def __init__(self) -> None:
        super().__init__("an API token's user cannot be changed: revoke it and create a new one")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def update(self, **kwargs: Any) -> int:
        if {"user", "user_id"} & kwargs.keys():
            raise TokenOwnerChange
        return super().update(**kwargs)

    def bulk_update(self, objs: Iterable[ApiToken], fields: Iterable[str],
                    *args: Any, **kwargs: Any) -> int:
        fields = list(fields)
        if {"user", "user_id"} & set(fields):
            raise TokenOwnerChange
        return super().bulk_update(objs, fields, *args, **kwargs)


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored: the secret is shown once, at creation.

    The token a client sends is ``<prefix>.<secret>``; the public ``prefix`` finds the row, the
    digest of the whole token proves it. Revoking sets ``revoked_at`` (kept for the audit).
    Every token expires (``expires_at``, ``API_TOKEN_TTL_DAYS`` after creation unless the
    management command gives a hospital system a longer term), and its user is fixed for its
    whole life: ``save()`` and the queryset refuse to change it (``TokenOwnerChange``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "How many live tokens does this person hold?" (integrations.tokens.token_create)
            models.Index(fields=["user", "expires_at"], condition=Q(revoked_at__isnull=True),
                         name="api_token_live_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            # Also for a new instance given the pk of a stored row (save() would UPDATE it).
            # One query by primary key; tokens are saved rarely (use and revocation are UPDATEs).
            stored = type(self).objects.filter(pk=self.pk).values_list("user_id", flat=True)
            owner = stored.first()
            if owner is not None and owner != self.user_id:
                raise TokenOwnerChange
        super().save(*args, **kwargs)


class IntegrationGrant(models.Model):
    """An integration client may read the cases of this team (breast, spine or MDT team)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="integration_grants")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="integration_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="integration_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} reads {self.team}"


class WebhookEvent(models.TextChoices):
    REFERRAL_STATE_CHANGED = "referral.state_changed", "Referral state changed"
    DECISION_FINALIZED = "decision.finalized", "MDT decision finalized"


class WebhookSubscription(models.Model):
    """A URL a client wants events POSTed to, signed the Standard Webhooks way
    (standardwebhooks.com, ``integrations.webhooks``) with ``secret`` (``whsec_<base64 key>``).

    After a rotation the ``previous_secret`` signs too (a second signature in the header) until
    ``previous_secret_expires_at``, so the receiver can switch secrets without losing events."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="webhook_subscriptions")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)  # WebhookEvent values
    # HMAC needs the key itself, so it is stored; it is shown to the client once, at creation
    # (and at a rotation).
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"webhook {self.pk} -> {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row, written in the transaction of the change.

    A beat task sends every row whose ``next_attempt_at`` is due, so nothing is lost when the
    broker is down; the payload carries ids and states only, never a patient's name.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_codes = models.JSONField(default=list, blank=True)  # one per attempt (0: no answer)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The beat scan: pending rows whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.status})"


class AdtMessage(models.Model):
    """An HL7 v2 ADT message the listener processed (issue 21): its control id (MSH-10) per
    sending application (MSH-3), so that a message sent twice changes the record once. Ids and
    codes only: no field of the message is kept."""

    sending_application = models.CharField(max_length=180)
    control_id = models.CharField(max_length=199)
    event = models.CharField(max_length=8)  # A01, A04, A08, A40
    patient_id = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The idempotency claim: insert first, a second insert of the same id fails.
            models.UniqueConstraint(fields=["sending_application", "control_id"],
                                    name="adt_message_control_id_unique"),
        ]

    def __str__(self) -> str:
        return f"ADT {self.event} {self.control_id}"
