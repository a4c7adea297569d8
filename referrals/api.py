"""REST endpoints of the referral pathway, under /api/v1/. Thin: validate, call one selector or
service, serialize. Every referral and alert starts from the visibility selectors: another
team's referral or alert is a 404; a visible referral acted on by the wrong team is a 403; an
illegal move is a 409 with the allowed actions, and changes nothing."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import audit
from cases.selectors import case_get_visible
from tumorboard.api import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from tumorboard.api_errors import errors, validated
from tumorboard.filters import UtcIsoDateTimeFilter
from tumorboard.models import User

from . import selectors, services
from .filters import ReferralFilter
from .models import Alert, Referral
from .serializers import (
    AlertSerializer,
    OccultWorkupItemSerializer,
    OccultWorkupResultSerializer,
    ReferralAnswerInputSerializer,
    ReferralCancelInputSerializer,
    ReferralConflictSerializer,
    ReferralDeclineInputSerializer,
    ReferralDetailSerializer,
    ReferralFlagInputSerializer,
    ReferralListSerializer,
    ReferralNoteInputSerializer,
    ReferralRequestInfoInputSerializer,
    WorkupExcludeInputSerializer,
    referral_detail_data,
)
from .states import Action

ERR_409 = OpenApiResponse(ReferralConflictSerializer,
                          description="the state machine forbids this move; nothing changed")


class AlertFilter(django_filters.FilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte",
        help_text="ISO 8601 date-time: alerts raised at or after it (for clients that poll)")

    class Meta:
        model = Alert
        fields = ["updated_since"]


class _ReferralView(APIView):
    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def detail_response(self, referral_id: int, code: int = status.HTTP_200_OK) -> Response:
        referral = selectors.referral_get_visible(user=self.actor, referral_id=referral_id)
        allowed = selectors.allowed_actions(referral, user=self.actor,
                                            team_ids=selectors.user_team_ids(self.actor))
        return Response(referral_detail_data(referral, allowed), status=code)


@extend_schema(tags=["referrals"])
class ReferralListCreateView(_ReferralView, generics.ListAPIView):
    """Referrals of the caller's care teams in (updated_at, id) order; cursor pagination, so
    that a client polling with ``updated_since`` or following ``next`` misses no change."""

    serializer_class = ReferralListSerializer
    filterset_class = ReferralFilter

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.referral_list_for_display(user=self.actor)

    @extend_schema(operation_id="referrals_list",
                   responses={200: ReferralListSerializer(many=True), **errors(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        shown = [item["case"] for item in response.data.get("results", [])]
        audit.record_list_read(actor=self.actor, case_ids=shown, what="referral_list_api")
        return response

    @extend_schema(
        operation_id="referrals_flag",
        summary="Flag a trigger by hand (back pain, neurological deficit): raises or extends",
        request=ReferralFlagInputSerializer,
        responses={201: ReferralDetailSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(ReferralFlagInputSerializer, request.data)
        try:
            case = case_get_visible(user=self.actor, case_id=data["case"], record=False)
        except Exception:
            raise ValidationError({"case": "no such case among yours"}) from None
        referral = services.referral_flag(case=case, codes=data["trigger_codes"],
                                          actor=self.actor, note=data["note"])
        return self.detail_response(referral.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["referrals"])
class ReferralDetailView(_ReferralView):
    @extend_schema(operation_id="referrals_retrieve", parameters=[IF_NONE_MATCH],
                   responses={200: ReferralDetailSerializer, 304: NOT_MODIFIED,
                              **errors(401, 404)})
    def get(self, request: Request, referral_id: int) -> Response:
        response = self.detail_response(referral_id)
        referral = Referral.objects.only("case").get(pk=referral_id)
        audit.record(actor=self.actor, action="view", object_type="referral",
                     object_id=referral.pk, case=referral.case)
        return conditional_response(request, response.data)


_INPUTS: dict[Action, tuple[type, str | None]] = {
    Action.ACKNOWLEDGE: (ReferralNoteInputSerializer, None),
    Action.ACCEPT: (ReferralNoteInputSerializer, "note"),
    Action.DECLINE: (ReferralDeclineInputSerializer, "reason"),
    Action.REQUEST_INFO: (ReferralRequestInfoInputSerializer, "question"),
    Action.ANSWER: (ReferralAnswerInputSerializer, "answer"),
    Action.LIST_FOR_MDT: (ReferralNoteInputSerializer, None),
    Action.CLOSE: (ReferralNoteInputSerializer, "note"),
    Action.CANCEL: (ReferralCancelInputSerializer, "reason"),
}


def action_view(action: Action) -> type[APIView]:
    """One endpoint per move: POST /api/v1/referrals/{id}/{action}/."""
    input_serializer, field = _INPUTS[action]

    @extend_schema(tags=["referrals"])
    class ReferralActionView(_ReferralView):
        @extend_schema(
            operation_id=f"referrals_{action.value}",
            summary=f"{action.value.replace('_', ' ').capitalize()} the referral",
            request=input_serializer,
            responses={200: ReferralDetailSerializer, **errors(400, 401, 403, 404),
                       409: ERR_409},
        )
        def post(self, request: Request, referral_id: int) -> Response:
            referral = selectors.referral_get_visible(user=self.actor, referral_id=referral_id)
            data = validated(input_serializer, request.data)
            kwargs = {field: data[field]} if field else {}
            services.ACTION_SERVICES[action](referral=referral, actor=self.actor, **kwargs)
            return self.detail_response(referral.pk)

    ReferralActionView.__name__ = f"Referral{action.value.title().replace('_', '')}View"
    return ReferralActionView


@extend_schema(tags=["referrals"])
class WorkupTickView(_ReferralView):
    @extend_schema(operation_id="referrals_workup_tick",
                   summary="Tick one item of the occult-primary work-up (who, when)",
                   request=None,
                   responses={200: OccultWorkupItemSerializer,
                              **errors(400, 401, 403, 404)})
    def post(self, request: Request, referral_id: int, item_code: str) -> Response:
        referral = selectors.referral_get_visible(user=self.actor, referral_id=referral_id)
        item = services.workup_item_tick(referral=referral, code=item_code, actor=self.actor)
        return Response(OccultWorkupItemSerializer(item).data)


@extend_schema(tags=["referrals"])
class WorkupResultView(_ReferralView):
    @extend_schema(operation_id="referrals_workup_result",
                   summary="Record one result of the occult-primary work-up (CLINICAL.md §17)",
                   request=OccultWorkupResultSerializer,
                   responses={201: OccultWorkupResultSerializer, **errors(400, 401, 403, 404)})
    def post(self, request: Request, referral_id: int) -> Response:
        referral = selectors.referral_get_visible(user=self.actor, referral_id=referral_id)
        data = validated(OccultWorkupResultSerializer, request.data)
        result = services.workup_result_record(referral=referral, actor=self.actor, **data)
        return Response(OccultWorkupResultSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["referrals"])
class WorkupExcludeView(_ReferralView):
    @extend_schema(operation_id="referrals_workup_exclude",
                   summary="Close the work-up: the breast is excluded, with the reason (§17)",
                   request=WorkupExcludeInputSerializer,
                   responses={200: ReferralDetailSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, referral_id: int) -> Response:
        referral = selectors.referral_get_visible(user=self.actor, referral_id=referral_id)
        data = validated(WorkupExcludeInputSerializer, request.data)
        services.workup_exclude(referral=referral, actor=self.actor, reason=data["reason"])
        return self.detail_response(referral.pk)


@extend_schema(tags=["alerts"])
class AlertListView(_ReferralView, generics.ListAPIView):
    """The caller's own alerts in (created_at, id) order; cursor pagination."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[Alert]:
        return selectors.alert_list_for(user=self.actor)

    @extend_schema(operation_id="alerts_list",
                   responses={200: AlertSerializer(many=True), **errors(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["alerts"])
class AlertAckView(_ReferralView):
    @extend_schema(operation_id="alerts_ack", request=None,
                   responses={200: AlertSerializer, **errors(401, 404)})
    def post(self, request: Request, alert_id: int) -> Response:
        alert = selectors.alert_get_visible(user=self.actor, alert_id=alert_id)
        alert = services.alert_acknowledge(alert=alert, actor=self.actor)
        return Response(AlertSerializer(alert).data)
