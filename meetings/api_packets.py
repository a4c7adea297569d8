"""REST endpoints of the meeting packet and minutes PDFs, under /api/v1/meetings/{id}/.

``POST .../packet/`` answers 202 with the status to poll at ``status_url`` (``GET .../packet/``);
``GET .../packet.pdf`` answers the PDF when ready, 409 with the status while pending or rendering
(or failed), 404 when the caller never asked for one. ``?kind=minutes`` for the minutes (after
finalize). The PDF holds only the cases the caller may see (meetings.packet).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases import audit
from cases.models import AuditAction
from tumorboard.api_errors import errors, validated

from . import packet, selectors, services
from .api import ERR_409, MeetingView, NotNow
from .models import Meeting, Packet, PacketKind
from .serializers import PacketRequestInputSerializer, PacketStatusSerializer

KIND = OpenApiParameter("kind", str, enum=PacketKind.values, required=False,
                        description="packet (default) or minutes")


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
        raise ValidationError({"kind": "packet or minutes"})
    return kind


@extend_schema(tags=["meetings"])
class PacketView(MeetingView):
    @extend_schema(operation_id="meetings_packet_request", request=PacketRequestInputSerializer,
                   summary="Ask for the packet (or minutes) PDF; a worker renders it",
                   responses={202: PacketStatusSerializer, **errors(400, 401, 404),
                              409: ERR_409})
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        data = validated(PacketRequestInputSerializer, request.data)
        row = services.packet_request(meeting=meeting, kind=data["kind"], actor=self.actor)
        return Response(packet_status_data(request, meeting, row),
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(operation_id="meetings_packet_status", parameters=[KIND],
                   responses={200: PacketStatusSerializer, **errors(401, 404)})
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = self.meeting(meeting_id)
        row = selectors.packet_for(meeting=meeting, kind=_kind(request), user=self.actor)
        if row is None:
            raise NotFound("no packet requested: POST to this URL first")
        return Response(packet_status_data(request, meeting, row))


@extend_schema(tags=["meetings"])
class PacketPdfView(MeetingView):
    @extend_schema(operation_id="meetings_packet_pdf", parameters=[KIND],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              **errors(401, 404), 409: ERR_409})
    def get(self, request: Request, meeting_id: int) -> HttpResponseBase:
        meeting = self.meeting(meeting_id)
        row = selectors.packet_for(meeting=meeting, kind=_kind(request), user=self.actor)
        if row is None:
            raise NotFound("no packet requested: POST .../packet/ first")
        path = packet.packet_path(row)
        if path is None:
            raise NotNow(f"the packet is {row.status}, not ready", status=row.status,
                         allowed_actions=[])
        audit.record(actor=self.actor, action=AuditAction.EXPORT, obj=row,
                     case_ids=row.case_ids, detail={"meeting": meeting.pk, "kind": row.kind,
                                                    "sha256": row.sha256})
        return FileResponse(path.open("rb"), content_type="application/pdf",
                            filename=f"meeting-{meeting.pk}-{row.kind}.pdf")
