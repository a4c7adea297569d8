"""REST endpoints of the meetings app, under /api/v1/. Thin: validate, call one selector or
service, serialize. Every meeting starts from ``meeting_list_visible_to`` and every case on it
from ``case_list_visible_to``: an outsider gets 404. Errors: 400 naming the field; 403 for a
visible meeting acted on by someone who does not run it; 409 ``{"detail", "status",
"allowed_actions"}`` for a move the state machine forbids (and ``missing_roles`` without quorum).

Packets: ``POST .../packet/`` answers 202 with the status to poll at ``status_url``
(``GET .../packet/``); ``GET .../packet.pdf`` answers the PDF when ready, 409 with the status while
pending or rendering (or failed), 404 when the caller never asked for one. ``?kind=minutes`` for
the minutes (after finalize).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import audit
from cases.access import case_list_visible_to
from cases.models import AuditAction
from tumorboard.api import (
    IF_NONE_MATCH,
    NOT_MODIFIED,
    Refused,
    conditional_response,
    run_service,
)
from tumorboard.models import Team, User
from tumorboard.roles import CARE_ROLES, CLINICAL_ROLES, Role

from . import ical, metrics, packet, selectors, services, states
from .models import Decision, Meeting, MeetingStatus, Packet, PacketKind
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
    MeetingErrorsSerializer,
    MeetingFinalizeInputSerializer,
    MeetingListSerializer,
    MeetingReopenInputSerializer,
    MetricsMonthSerializer,
    PacketRequestInputSerializer,
    PacketStatusSerializer,
    QuorumSerializer,
)

ERR_400 = OpenApiResponse(MeetingErrorsSerializer, description="field -> reasons; nothing saved")
ERR_401 = OpenApiResponse(description="not authenticated")
ERR_403 = OpenApiResponse(description="visible, but only the coordinator or chair does this")
ERR_404 = OpenApiResponse(description="no such meeting (or item) among yours")
ERR_409 = OpenApiResponse(MeetingConflictSerializer,
                          description="the state machine forbids this now; nothing changed")
KIND = OpenApiParameter("kind", str, enum=PacketKind.values, required=False,
                        description="packet (default) or minutes")


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise Refused(Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST))
    return serializer.validated_data


def _person(user_id: int, field: str, roles: tuple[str, ...], what: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True, role__in=roles).first()
    if user is None:
        raise Refused(Response({field: [f"no such {what}"]}, status=status.HTTP_400_BAD_REQUEST))
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


class _MeetingView(APIView):
    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def meeting(self, meeting_id: int) -> Meeting:
        return selectors.meeting_get_visible(user=self.actor, meeting_id=meeting_id)

    def detail_data(self, meeting: Meeting) -> dict[str, Any]:
        items = list(selectors.items_visible_to(user=self.actor, meeting=meeting))
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
class MeetingListCreateView(_MeetingView, generics.ListAPIView):
    """Meetings the caller may see (chair, coordinator, invited, MDT team) in (updated_at, id)
    order; cursor pagination."""

    serializer_class = MeetingListSerializer
    filterset_class = MeetingFilter

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list_for_display(user=self.actor)

    @extend_schema(operation_id="meetings_list",
                   responses={200: MeetingListSerializer(many=True), 400: ERR_400,
                              401: ERR_401})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(operation_id="meetings_create", request=MeetingCreateInputSerializer,
                   responses={201: MeetingDetailSerializer, 400: ERR_400, 401: ERR_401,
                              403: ERR_403})
    def post(self, request: Request) -> Response:
        data = _valid(MeetingCreateInputSerializer, request.data)
        team = Team.objects.filter(pk=data["mdt_team"], kind=Team.Kind.MDT,
                                   memberships__user=self.actor).first()
        if team is None:
            return Response({"mdt_team": ["no such MDT team of yours"]},
                            status=status.HTTP_400_BAD_REQUEST)
        chair = _clinician(data["chair"], "chair")
        coordinator = (_person(data["coordinator"], "coordinator", (Role.COORDINATOR,),
                               "active MDT coordinator")
                       if data.get("coordinator") else self.actor)
        attendees = [_person(pk, "attendees", CARE_ROLES, "active clinician or MDT coordinator")
                     for pk in data["attendees"]]
        meeting = run_service(lambda: services.meeting_create(
            mdt_team=team, starts_at=data["starts_at"], chair=chair, coordinator=coordinator,
            actor=self.actor, title=data["title"], duration_minutes=data["duration_minutes"],
            place=data["place"], video_link=data["video_link"], attendees=attendees))
        return Response(self.detail_data(self.meeting(meeting.pk)),
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["meetings"])
class MeetingDetailView(_MeetingView):
    @extend_schema(operation_id="meetings_retrieve", parameters=[IF_NONE_MATCH],
                   responses={200: MeetingDetailSerializer, 304: NOT_MODIFIED, 401: ERR_401,
                              404: ERR_404})
    def get(self, request: Request, meeting_id: int) -> Response:
        return conditional_response(request, self.detail_data(self.meeting(meeting_id)))


@extend_schema(tags=["meetings"])
class AgendaView(_MeetingView):
    @extend_schema(operation_id="meetings_agenda",
                   responses={200: AgendaItemSerializer(many=True), 401: ERR_401, 404: ERR_404})
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        items = list(selectors.items_visible_to(user=self.actor, meeting=meeting))
        audit.record_list_read(actor=self.actor, case_ids=[item.case_id for item in items],
                               what="meeting_agenda")
        return Response(AgendaItemSerializer(items, many=True).data)

    @extend_schema(operation_id="meetings_agenda_add", request=AgendaItemAddInputSerializer,
                   summary="Add a case you may see to a planned agenda, with a question",
                   responses={201: AgendaItemSerializer, 400: ERR_400, 401: ERR_401,
                              403: ERR_403, 404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = _valid(AgendaItemAddInputSerializer, request.data)
        case = case_list_visible_to(user=self.actor).filter(pk=data["case"]).first()
        if case is None:
            return Response({"case": ["no such case among yours"]},
                            status=status.HTTP_400_BAD_REQUEST)
        item = run_service(lambda: services.agenda_item_add(meeting=meeting, case=case,
                                                     actor=self.actor, question=data["question"]))
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item.pk)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["meetings"])
class AgendaPopulateView(_MeetingView):
    @extend_schema(operation_id="meetings_agenda_populate", request=None,
                   summary="Fill the agenda with every eligible case, in CLINICAL.md §13 order",
                   responses={200: AgendaItemSerializer(many=True), 401: ERR_401, 403: ERR_403,
                              404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        run_service(lambda: services.agenda_populate(meeting=meeting, actor=self.actor))
        items = list(selectors.items_visible_to(user=self.actor, meeting=meeting))
        return Response(AgendaItemSerializer(items, many=True).data)


@extend_schema(tags=["meetings"])
class ItemMoveView(_MeetingView):
    @extend_schema(operation_id="meetings_item_move", request=AgendaMoveInputSerializer,
                   responses={200: AgendaItemSerializer(many=True), 400: ERR_400, 401: ERR_401,
                              403: ERR_403, 404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        data = _valid(AgendaMoveInputSerializer, request.data)
        run_service(lambda: services.agenda_item_move(item=item, direction=data["direction"],
                                               actor=self.actor, reason=data["reason"]))
        items = list(selectors.items_visible_to(user=self.actor, meeting=meeting))
        return Response(AgendaItemSerializer(items, many=True).data)


@extend_schema(tags=["meetings"])
class AttendanceView(_MeetingView):
    @extend_schema(operation_id="meetings_attendance", request=AttendanceInputSerializer,
                   responses={200: AttendanceSerializer, 400: ERR_400, 401: ERR_401,
                              403: ERR_403, 404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = _valid(AttendanceInputSerializer, request.data)
        attendance = run_service(lambda: services.attendance_record(
            meeting=meeting, user_id=data["user"], present=data["present"], actor=self.actor))
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
    class MeetingMoveView(_MeetingView):
        @extend_schema(operation_id=f"meetings_{action.value}", request=input_serializer,
                       responses={200: MeetingDetailSerializer, 400: ERR_400, 401: ERR_401,
                                  403: ERR_403, 404: ERR_404, 409: ERR_409})
        def post(self, request: Request, meeting_id: int) -> Response:
            meeting = self.meeting(meeting_id)
            data = _valid(input_serializer, request.data) if input_serializer else {}
            if action is states.Action.LOCK:
                run_service(lambda: services.meeting_lock(meeting=meeting, actor=self.actor))
            elif action is states.Action.START:
                run_service(lambda: services.meeting_start(meeting=meeting, actor=self.actor))
            elif action is states.Action.REOPEN:
                run_service(lambda: services.meeting_reopen(meeting=meeting, actor=self.actor,
                                                     reason=data["reason"]))
            else:
                run_service(lambda: services.meeting_finalize(
                    meeting=meeting, actor=self.actor,
                    quorum_override_reason=data["quorum_override_reason"]))
            return Response(self.detail_data(self.meeting(meeting_id)))

    MeetingMoveView.__name__ = f"Meeting{action.value.title()}View"
    return MeetingMoveView


@extend_schema(tags=["meetings"])
class DecisionView(_MeetingView):
    @extend_schema(operation_id="meetings_item_decision", request=DecisionInputSerializer,
                   responses={200: DecisionSerializer, 400: ERR_400, 401: ERR_401, 403: ERR_403,
                              404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        data = _valid(DecisionInputSerializer, request.data)
        responsible = _clinician(data["responsible"], "responsible")
        decision = run_service(lambda: services.decision_record(
            item=item, actor=self.actor, pathway=data["pathway"], rationale=data["rationale"],
            responsible=responsible, stabilisation=data["stabilisation"],
            urgency=data["urgency"], override_reason=data["override_reason"]))
        return Response(DecisionSerializer(decision).data)


@extend_schema(tags=["meetings"])
class FollowUpView(_MeetingView):
    @extend_schema(operation_id="meetings_item_follow_up", request=FollowUpInputSerializer,
                   responses={200: DecisionSerializer, 400: ERR_400, 401: ERR_401, 403: ERR_403,
                              404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int, item_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        item = selectors.item_get_visible(user=self.actor, meeting=meeting, item_id=item_id)
        decision: Decision | None = getattr(item, "decision", None)
        if decision is None:
            return Response({"detail": "no decision on this item yet", "status": meeting.status,
                             "allowed_actions": states.allowed_actions(meeting.status)},
                            status=status.HTTP_409_CONFLICT)
        data = _valid(FollowUpInputSerializer, request.data)
        found = decision
        decision = run_service(lambda: services.decision_follow_up(
            decision=found, actor=self.actor, carried_out=data["carried_out"],
            carried_out_at=data["carried_out_at"], note=data["note"]))
        return Response(DecisionSerializer(decision).data)


def packet_status_data(request: Request, meeting: Meeting, packet_row: Packet) -> dict[str, Any]:
    base = reverse("api-meeting-packet", args=[meeting.pk])
    pdf = reverse("api-meeting-packet-pdf", args=[meeting.pk])
    ready = packet_row.status == Packet.Status.READY
    return PacketStatusSerializer({
        "id": packet_row.pk, "kind": packet_row.kind, "status": packet_row.status,
        "requested_at": packet_row.requested_at, "finished_at": packet_row.finished_at,
        "page_count": packet_row.page_count, "sha256": packet_row.sha256,
        "status_url": request.build_absolute_uri(f"{base}?kind={packet_row.kind}"),
        "download_url": request.build_absolute_uri(f"{pdf}?kind={packet_row.kind}")
        if ready else None,
    }).data


def _kind(request: Request) -> str:
    kind = request.query_params.get("kind", PacketKind.PACKET)
    if kind not in PacketKind.values:
        raise Refused(Response({"kind": ["packet or minutes"]},
                                status=status.HTTP_400_BAD_REQUEST))
    return kind


@extend_schema(tags=["meetings"])
class PacketView(_MeetingView):
    @extend_schema(operation_id="meetings_packet_request", request=PacketRequestInputSerializer,
                   summary="Ask for the packet (or minutes) PDF; a worker renders it",
                   responses={202: PacketStatusSerializer, 400: ERR_400, 401: ERR_401,
                              404: ERR_404, 409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = _valid(PacketRequestInputSerializer, request.data)
        row = run_service(lambda: services.packet_request(meeting=meeting, kind=data["kind"],
                                                   actor=self.actor))
        return Response(packet_status_data(request, meeting, row),
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(operation_id="meetings_packet_status", parameters=[KIND],
                   responses={200: PacketStatusSerializer, 401: ERR_401, 404: ERR_404})
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        row = selectors.packet_for(meeting=meeting, kind=_kind(request), user=self.actor)
        if row is None:
            return Response({"detail": "no packet requested: POST to this URL first"},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(packet_status_data(request, meeting, row))


@extend_schema(tags=["meetings"])
class PacketPdfView(_MeetingView):
    @extend_schema(operation_id="meetings_packet_pdf", parameters=[KIND],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, 401: ERR_401,
                              404: ERR_404, 409: ERR_409})
    def get(self, request: Request, meeting_id: int) -> HttpResponseBase:
        meeting = self.meeting(meeting_id)
        row = selectors.packet_for(meeting=meeting, kind=_kind(request), user=self.actor)
        if row is None:
            return Response({"detail": "no packet requested: POST .../packet/ first"},
                            status=status.HTTP_404_NOT_FOUND)
        path = packet.packet_path(row)
        if path is None:
            return Response({"detail": f"the packet is {row.status}, not ready",
                             "status": row.status, "allowed_actions": []},
                            status=status.HTTP_409_CONFLICT)
        audit.record(actor=self.actor, action=AuditAction.EXPORT, obj=row,
                     case_ids=row.case_ids, detail={"meeting": meeting.pk, "kind": row.kind,
                                                    "sha256": row.sha256})
        return FileResponse(path.open("rb"), content_type="application/pdf",
                            filename=f"meeting-{meeting.pk}-{row.kind}.pdf")


@extend_schema(tags=["meetings"])
class MeetingIcsView(_MeetingView):
    @extend_schema(operation_id="meetings_ics",
                   responses={(200, "text/calendar"): OpenApiTypes.STR, 401: ERR_401,
                              404: ERR_404})
    def get(self, request: Request, meeting_id: int) -> HttpResponse:
        meeting = self.meeting(meeting_id)
        body = ical.meeting_ics(meeting, selectors.attendance_rows(meeting=meeting))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


@extend_schema(tags=["meetings"])
class MetricsView(_MeetingView):
    """CLINICAL.md §14 quality measures per month, over the cases (and meetings) the caller sees."""

    @extend_schema(operation_id="metrics_list",
                   responses={200: MetricsMonthSerializer(many=True), 401: ERR_401})
    def get(self, request: Request) -> Response:
        rows = metrics.monthly_measures(user=self.actor)
        return Response(MetricsMonthSerializer(rows, many=True).data)

