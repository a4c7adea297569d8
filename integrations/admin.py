"""Admin of API tokens (no secrets are ever shown), grants and webhooks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tumorboard.models import User
from tumorboard.roles import Role

from . import destinations, tokens, webhooks
from .models import ApiToken, IntegrationGrant, WebhookDelivery, WebhookSubscription


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]
    # The user above all: a token given to another person would let whoever edits it read
    # patient data under that person's name (ApiToken.save refuses it too). A term is
    # shortened by revoking, never lengthened here.
    readonly_fields = ["user", "prefix", "digest", "created_at", "expires_at", "last_used_at",
                       "revoked_at", "created_by"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created by the API or the management command, shown once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            tokens.token_revoke(token=token)


@admin.register(IntegrationGrant)
class IntegrationGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "granted_by", "granted_at"]


class WebhookSubscriptionForm(forms.ModelForm):
    """An administrator registers a webhook for an integration client: the same destination
    rules and cap as the API (integrations.services.webhook_subscribe)."""

    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["owner", "url", "events", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = (  # type: ignore[attr-defined]
                User.objects.filter(role=Role.INTEGRATION))

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            destinations.check_registration(url)
        except destinations.DestinationRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = data.get("owner")
        cap = settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT
        others = WebhookSubscription.objects.filter(owner=owner).exclude(pk=self.instance.pk)
        if owner is not None and others.count() >= cap:
            raise forms.ValidationError(f"at most {cap} webhook subscriptions per client")
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "url", "active", "created_at"]
    form = WebhookSubscriptionForm

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any,
                   change: bool) -> None:
        created = not obj.secret
        if created:
            obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)
        if created:  # shown this once, for the administrator to hand to the client
            messages.info(request, f"Signing secret of webhook {obj.pk}: {obj.secret}")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "subscription", "status", "attempts", "next_attempt_at",
                    "delivered_at"]
    list_filter = ["status", "event"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
