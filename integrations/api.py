"""REST endpoints of the integrations app, under /api/v1/: API tokens and webhooks. The FHIR R4
server is the ``fhir`` package (its views: ``fhir.views``).

Thin: validate, call one service or selector, serialize.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tumorboard.api_errors import errors, validated
from tumorboard.models import User
from tumorboard.roles import Role

from . import services, tokens
from .models import ApiToken, WebhookDelivery, WebhookSubscription
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    TokenCreateInputSerializer,
    WebhookCreateInputSerializer,
    WebhookDeliverySerializer,
    WebhookSecretRotatedSerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)

ERR_409_TOKENS = OpenApiResponse(
    description="you already hold API_TOKENS_PER_USER live tokens: revoke one first")


class _OwnView(APIView):
    """Endpoints on the caller's own tokens and webhooks: integration clients may write here."""

    integration_may_write = True

    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]


# --- tokens ---------------------------------------------------------------------------------


@extend_schema(tags=["auth"])
class TokenCreateView(APIView):
    """Exchange a username and password for a new API token (the token is shown once)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="auth_token", request=TokenCreateInputSerializer,
                   summary="Exchange a username and password for a new API token",
                   responses={201: ApiTokenCreatedSerializer, **errors(400),
                              409: ERR_409_TOKENS, **errors(429)})
    def post(self, request: Request) -> Response:
        data = validated(TokenCreateInputSerializer, request.data)
        user = authenticate(request=request, username=data["username"],
                            password=data["password"])
        if user is None or not user.is_active:
            raise ValidationError("unable to log in with these credentials")
        token, raw = tokens.token_create(user=user, name=data["name"], created_by=user)
        body = {**ApiTokenSerializer(token).data, "token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class TokenListView(_OwnView, generics.ListAPIView):
    """The caller's tokens (never their secrets), oldest first."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset answers requests
    ordering_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.actor)

    @extend_schema(operation_id="auth_tokens_list",
                   responses={200: ApiTokenSerializer(many=True), **errors(400, 401, 429)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["auth"])
class TokenRevokeView(_OwnView):
    @extend_schema(operation_id="auth_tokens_revoke", request=None,
                   summary="Revoke one of your tokens (at once, for good)",
                   responses={200: ApiTokenSerializer, **errors(401, 404, 429)})
    def delete(self, request: Request, token_id: int) -> Response:
        token = ApiToken.objects.filter(user=self.actor, pk=token_id).first()
        if token is None:
            raise NotFound("no such token of yours")
        return Response(ApiTokenSerializer(tokens.token_revoke(token=token)).data)


# --- webhooks -------------------------------------------------------------------------------


def _own_subscription(user: User, subscription_id: int) -> WebhookSubscription:
    from django.http import Http404

    row = WebhookSubscription.objects.filter(owner=user, pk=subscription_id).first()
    if row is None:
        raise Http404("No such webhook.")
    return row


@extend_schema(tags=["webhooks"])
class WebhookListCreateView(_OwnView, generics.ListAPIView):
    """The caller's webhook subscriptions, oldest first."""

    serializer_class = WebhookSubscriptionSerializer
    queryset = WebhookSubscription.objects.none()
    ordering_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.filter(owner=self.actor)

    @extend_schema(operation_id="webhooks_list",
                   responses={200: WebhookSubscriptionSerializer(many=True),
                              **errors(400, 401, 429)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(operation_id="webhooks_create", request=WebhookCreateInputSerializer,
                   summary="Register a URL for events (the HMAC secret is shown once)",
                   responses={201: WebhookSubscriptionCreatedSerializer,
                              **errors(400, 401, 403, 429)})
    def post(self, request: Request) -> Response:
        # Webhooks are for other hospital systems; an administrator adds one for a client in
        # the admin. A clinician's session would otherwise point the worker anywhere.
        if self.actor.role != Role.INTEGRATION:
            raise PermissionDenied("only integration clients register webhooks")
        data = validated(WebhookCreateInputSerializer, request.data)
        row = services.webhook_subscribe(owner=self.actor, url=data["url"], events=data["events"])
        body = {**WebhookSubscriptionSerializer(row).data, "secret": row.secret}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["webhooks"])
class WebhookDetailView(_OwnView):
    @extend_schema(operation_id="webhooks_retrieve",
                   responses={200: WebhookSubscriptionSerializer, **errors(401, 404, 429)})
    def get(self, request: Request, subscription_id: int) -> Response:
        row = _own_subscription(self.actor, subscription_id)
        return Response(WebhookSubscriptionSerializer(row).data)

    @extend_schema(operation_id="webhooks_delete", request=None,
                   summary="Stop the subscription and drop its pending deliveries",
                   responses={204: None, **errors(401, 404, 429)})
    def delete(self, request: Request, subscription_id: int) -> Response:
        _own_subscription(self.actor, subscription_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookRotateSecretView(_OwnView):
    @extend_schema(operation_id="webhooks_rotate_secret", request=None,
                   summary="A new signing secret (shown once); the old one keeps signing for "
                           "WEBHOOK_SECRET_OVERLAP_SECONDS (24 h by default)",
                   responses={200: WebhookSecretRotatedSerializer, **errors(401, 404, 429)})
    def post(self, request: Request, subscription_id: int) -> Response:
        row = services.webhook_rotate_secret(
            subscription=_own_subscription(self.actor, subscription_id))
        return Response(WebhookSecretRotatedSerializer({
            "id": row.pk, "secret": row.secret,
            "previous_secret_expires_at": row.previous_secret_expires_at}).data)


@extend_schema(tags=["webhooks"])
class WebhookDeliveryListView(_OwnView, generics.ListAPIView):
    """The delivery log of one subscription: attempts, answers, oldest first."""

    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()
    ordering_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        row = _own_subscription(self.actor, self.kwargs["subscription_id"])
        return WebhookDelivery.objects.filter(subscription=row)

    @extend_schema(operation_id="webhooks_deliveries",
                   responses={200: WebhookDeliverySerializer(many=True),
                              **errors(400, 401, 404, 429)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)
