"""Serializers of the integrations endpoints (tokens, webhooks, FHIR). Unique names."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tumorboard.validators import no_line_breaks

from . import destinations
from .models import ApiToken, WebhookDelivery, WebhookEvent, WebhookSubscription


class TokenCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[no_line_breaks])
    password = serializers.CharField(max_length=4096, style={"input_type": "password"},
                                     trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="API token",
                                 validators=[no_line_breaks],
                                 help_text="what the token is for (shown in the token list)")


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at",
                  "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="the secret: shown this once, never again")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class WebhookCreateInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1,
        max_length=len(WebhookEvent.values))

    def validate_url(self, value: str) -> str:
        try:
            destinations.check_registration(value)
        except destinations.DestinationRefused as refusal:
            raise serializers.ValidationError(str(refusal)) from None
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value))


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "active", "created_at"]


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(help_text=(
        "the Standard Webhooks signing secret (whsec_ and the base64 key): shown this once, "
        "never again"))

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookSecretRotatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    secret = serializers.CharField(help_text="the new signing secret: shown this once")
    previous_secret_expires_at = serializers.DateTimeField(help_text=(
        "until then every delivery is signed with both secrets (two v1 signatures)"))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status_codes = serializers.ListField(child=serializers.IntegerField())
    payload = serializers.DictField()

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempts", "status_codes", "last_error",
                  "created_at", "next_attempt_at", "delivered_at", "payload"]


class FhirResourceSerializer(serializers.Serializer):
    """A FHIR R4 resource (JSON); validated against the R4 models in the tests."""

    resourceType = serializers.CharField()  # FHIR's own spelling
    id = serializers.CharField()

    def to_representation(self, instance: Any) -> Any:
        return instance
