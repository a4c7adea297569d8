"""Admin of API tokens (no secrets are ever shown), grants and webhooks."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import tokens
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


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "url", "active", "created_at"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "subscription", "status", "attempts", "next_attempt_at",
                    "delivered_at"]
    list_filter = ["status", "event"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
