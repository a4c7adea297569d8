"""REST endpoints of the meetings app, under /api/v1/. Thin: validate, call one selector or
service, serialize. Every meeting starts from ``meeting_list_visible_to`` and every case on it
from ``case_list_visible_to``: an outsider gets 404. Errors: 400 naming the field; 403 for a
visible meeting acted on by someone who does not run it; 409 ``{"detail", "status",
"allowed_actions"}`` for a move the state machine forbids (and ``missing_roles`` without quorum).
Errors are raised and answered by tumorboard.api_errors. The packet endpoints: meetings.api_packets.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import audit
from cases.access import case_list_visible_to
from tumorboard.api import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from tumorboard.api_errors import errors, validated
from tumorboard.errors import Conflict
from tumorboard.models import Team, User
from tumorboard.roles import CARE_ROLES, CLINICAL_ROLES, Role

from . import ical, metrics, selectors, services, states
from .models import Decision, Meeting, MeetingStatus
from .serializers import (
    AgendaItemAddInputSerializer,
    AgendaItemSerializer,
    AgendaMoveInputSerializer,
    AttendanceInputSerializer,
    AttendanceSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    FollowUpInputSerializer,
    MeetingConflictSerializer,
    MeetingCreateInputSerializer,
    MeetingDetailSerializer,
    MeetingFinalizeInputSerializer,
    MeetingListSerializer,
    MeetingReopenInputSerializer,
    MeetingWithAgendaSerializer,
    MetricsMonthSerializer,
    QuorumSerializer,
)

ERR_409 = OpenApiResponse(MeetingConflictSerializer,
                          description="the state machine forbids this now; nothing changed")


class NotNow(Conflict):
    """A 409 the view decides (no decision yet, a PDF not ready), in the meetings' 409 shape."""

    def __init__(self, detail: str, *, status: str, allowed_actions: list[str]) -> None:
        super().__init__(detail)
        self.status, self.allowed_actions = status, allowed_actions

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": self.status,
                "allowed_actions": self.allowed_actions}


def _person(user_id: int, field: str, roles: tuple[str, ...], what: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True, role__in=roles).first()
    if user is None:
        raise ValidationError({field: f"no such {what}"})
    return user


def _clinician(user_id: int, field: str) -> User:
    """Chair, presenter, responsible: an active clinician (tumorboard.roles.is_clinician)."""
    return _person(user_id, field, CLINICAL_ROLES, "active clinician")


class MeetingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="ISO 8601 date-time: meetings changed at or after it (for clients that poll)")

    class Meta:
        model = Meeting
        fields = ["status", "updated_since"]


# The base of every meetings endpoint (no docstring: drf-spectacular would make it the
# description of every operation that has none of its own).
class MeetingView(APIView):
    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def meeting(self, meeting_id: int) -> Meeting:
        return selectors.meeting_get_visible(user=self.actor, meeting_id=meeting_id)

    def detail_data(self, meeting: Meeting) -> dict[str, Any]:
        items = list(selectors.items_for_api(user=self.actor, meeting=meeting))
        attendances = selectors.attendance_rows(meeting=meeting)
        audit.record_list_read(actor=self.actor, case_ids=[item.case_id for item in items],
                               what="meeting_agenda")
        meeting.hidden_agenda_items = selectors.hidden_item_count(  # type: ignore[attr-defined]
            user=self.actor, meeting=meeting, shown=len(items))
        data = dict(MeetingDetailSerializer(meeting).data)
        data["agenda"] = AgendaItemSerializer(items, many=True).data
        data["attendance"] = AttendanceSerializer(attendances, many=True).data
        data["quorum"] = QuorumSerializer(selectors.quorum_state(attendances)).data
        data["allowed_actions"] = (states.allowed_actions(meeting.status)
                                   if services.is_runner(meeting, self.actor) else [])
        return data


@extend_schema(tags=["meetings"])
class MeetingListCreateView(MeetingView, generics.ListAPIView):
    """Meetings the caller may see (chair, coordinator, invited, MDT team) in (updated_at, id)
    order; cursor pagination."""

    serializer_class = MeetingListSerializer
    filterset_class = MeetingFilter

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list_for_display(user=self.actor)

    @extend_schema(operation_id="meetings_list",
                   responses={200: MeetingListSerializer(many=True), **errors(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(operation_id="meetings_create", request=MeetingCreateInputSerializer,
                   responses={201: MeetingWithAgendaSerializer, **errors(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = validated(MeetingCreateInputSerializer, request.data)
        team = Team.objects.filter(pk=data["mdt_team"], kind=Team.Kind.MDT,
                                   memberships__user=self.actor).first()
        if team is None:
            raise ValidationError({"mdt_team": "no such MDT team of yours"})
        chair = _clinician(data["chair"], "chair")
        coordinator = (_person(data["coordinator"], "coordinator", (Role.COORDINATOR,),
                               "active MDT coordinator")
                       if data.get("coordinator") else self.actor)
        attendees = [_person(pk, "attendees", CARE_ROLES, "active clinician or MDT coordinator")
                     for pk in data["attendees"]]
        meeting = services.meeting_create(
            mdt_team=team, starts_at=data["starts_at"], chair=chair, coordinator=coordinator,
            actor=self.actor, title=data["title"], duration_minutes=data["duration_minutes"],
            place=data["place"], video_link=data["video_link"], attendees=attendees,
            record_past=data["record_past"], past_reason=data["past_reason"])
        return Response(self.detail_data(self.meeting(meeting.pk)),
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["meetings"])
class MeetingDetailView(MeetingView):
    @extend_schema(operation_id="meetings_retrieve", parameters=[IF_NONE_MATCH],
                   responses={200: MeetingWithAgendaSerializer, 304: NOT_MODIFIED,
                              **errors(401, 404)})
    def get(self, request: Request, meeting_id: int) -> Response:
        return conditional_response(request, self.detail_data(self.meeting(meeting_id)))


@extend_schema(tags=["meetings"])
class AgendaView(MeetingView):
    @extend_schema(operation_id="meetings_agenda",
                   responses={200: AgendaItemSerializer(many=True), **errors(401, 404)})
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_visible(user=self.actor, meeting_id=meeting_id,
                                                related=False)
        items = list(selectors.items_for_api(user=self.actor, meeting=meeting))
        audit.record_list_read(actor=self.actor, case_ids=[item.case_id for item in items],
                               what="meeting_agenda")
        return Response(AgendaItemSerializer(items, many=True).data)

    @extend_schema(operation_id="meetings_agenda_add", request=AgendaItemAddInputSerializer,
                   summary="Add a case you may see to a planned agenda, with a question",
                   responses={201: AgendaItemSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = validated(AgendaItemAddInputSerializer, request.data)
        case = case_list_visible_to(user=self.actor).filter(pk=data["case"]).first()
        if case is None:
            raise ValidationError({"case": "no such case among yours"})
        item = services.agenda_item_add(meeting=meeting, case=case, actor=self.actor,
                                        question=data["question"])
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item.pk)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["meetings"])
class AgendaPopulateView(MeetingView):
    @extend_schema(operation_id="meetings_agenda_populate", request=None,
                   summary="Fill the agenda with every eligible case, in CLINICAL.md §13 order",
                   responses={200: AgendaItemSerializer(many=True), **errors(401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        services.agenda_populate(meeting=meeting, actor=self.actor)
        items = list(selectors.items_for_api(user=self.actor, meeting=meeting))
        return Response(AgendaItemSerializer(items, many=True).data)


@extend_schema(tags=["meetings"])
class ItemMoveView(MeetingView):
    @extend_schema(operation_id="meetings_item_move", request=AgendaMoveInputSerializer,
                   responses={200: AgendaItemSerializer(many=True),
                              **errors(400, 401, 403, 404), 409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        data = validated(AgendaMoveInputSerializer, request.data)
        services.agenda_item_move(item=item, direction=data["direction"], actor=self.actor,
                                  reason=data["reason"])
        items = list(selectors.items_for_api(user=self.actor, meeting=meeting))
        return Response(AgendaItemSerializer(items, many=True).data)


@extend_schema(tags=["meetings"])
class AttendanceView(MeetingView):
    @extend_schema(operation_id="meetings_attendance", request=AttendanceInputSerializer,
                   responses={200: AttendanceSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = validated(AttendanceInputSerializer, request.data)
        attendance = services.attendance_record(meeting=meeting, user_id=data["user"],
                                                present=data["present"], actor=self.actor)
        return Response(AttendanceSerializer(attendance).data)


def move_view(action: states.Action) -> type[APIView]:
    """POST /api/v1/meetings/{id}/{lock|reopen|start|finalize}/."""
    inputs: dict[states.Action, type | None] = {
        states.Action.LOCK: None, states.Action.START: None,
        states.Action.REOPEN: MeetingReopenInputSerializer,
        states.Action.FINALIZE: MeetingFinalizeInputSerializer,
    }
    input_serializer = inputs[action]

    @extend_schema(tags=["meetings"])
    class MeetingMoveView(MeetingView):
        @extend_schema(operation_id=f"meetings_{action.value}", request=input_serializer,
                       responses={200: MeetingWithAgendaSerializer,
                                  **errors(400, 401, 403, 404), 409: ERR_409})
        def post(self, request: Request, meeting_id: int) -> Response:
            meeting = self.meeting(meeting_id)
            data = validated(input_serializer, request.data) if input_serializer else {}
            if action is states.Action.LOCK:
                services.meeting_lock(meeting=meeting, actor=self.actor)
            elif action is states.Action.START:
                services.meeting_start(meeting=meeting, actor=self.actor)
            elif action is states.Action.REOPEN:
                services.meeting_reopen(meeting=meeting, actor=self.actor, reason=data["reason"])
            else:
                services.meeting_finalize(meeting=meeting, actor=self.actor,
                                          quorum_override_reason=data["quorum_override_reason"])
            return Response(self.detail_data(self.meeting(meeting_id)))

    MeetingMoveView.__name__ = f"Meeting{action.value.title()}View"
    return MeetingMoveView


@extend_schema(tags=["meetings"])
class DecisionView(MeetingView):
    @extend_schema(operation_id="meetings_item_decision", request=DecisionInputSerializer,
                   responses={200: DecisionSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        data = validated(DecisionInputSerializer, request.data)
        responsible = _clinician(data["responsible"], "responsible")
        decision = services.decision_record(
            item=item, actor=self.actor, pathway=data["pathway"], rationale=data["rationale"],
            responsible=responsible, stabilisation=data["stabilisation"],
            urgency=data["urgency"], override_reason=data["override_reason"],
            expected_version=data["version"])
        return Response(DecisionSerializer(decision).data)


@extend_schema(tags=["meetings"])
class FollowUpView(MeetingView):
    @extend_schema(operation_id="meetings_item_follow_up", request=FollowUpInputSerializer,
                   responses={200: DecisionSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        decision: Decision | None = getattr(item, "decision", None)
        if decision is None:
            raise NotNow("no decision on this item yet", status=meeting.status,
                         allowed_actions=states.allowed_actions(meeting.status))
        data = validated(FollowUpInputSerializer, request.data)
        decision = services.decision_follow_up(
            decision=decision, actor=self.actor, carried_out=data["carried_out"],
            carried_out_at=data["carried_out_at"], note=data["note"])
        return Response(DecisionSerializer(decision).data)


@extend_schema(tags=["meetings"])
class MeetingIcsView(MeetingView):
    @extend_schema(operation_id="meetings_ics",
                   responses={(200, "text/calendar"): OpenApiTypes.STR,
                              **errors(401, 404)})
    def get(self, request: Request, meeting_id: int) -> HttpResponse:
        meeting = self.meeting(meeting_id)
        body = ical.meeting_ics(meeting, selectors.attendance_rows(meeting=meeting))
        response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


@extend_schema(tags=["meetings"])
class MetricsView(MeetingView):
    """CLINICAL.md §14 quality measures per month, over the cases (and meetings) the caller sees."""

    @extend_schema(operation_id="metrics_list",
                   responses={200: MetricsMonthSerializer(many=True), **errors(401)})
    def get(self, request: Request) -> Response:
        rows = metrics.monthly_measures(user=self.actor)
        return Response(MetricsMonthSerializer(rows, many=True).data)

