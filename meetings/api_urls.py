"""REST routes of the meetings app (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api, api_packets
from .states import Action

urlpatterns = [
    path("meetings/", api.MeetingListCreateView.as_view(), name="api-meetings"),
    path("meetings/<id:meeting_id>/", api.MeetingDetailView.as_view(), name="api-meeting"),
    path("meetings/<id:meeting_id>/agenda/", api.AgendaView.as_view(),
         name="api-meeting-agenda"),
    path("meetings/<id:meeting_id>/agenda/populate/", api.AgendaPopulateView.as_view(),
         name="api-meeting-agenda-populate"),
    path("meetings/<id:meeting_id>/items/<id:item_id>/move/", api.ItemMoveView.as_view(),
         name="api-meeting-item-move"),
    path("meetings/<id:meeting_id>/items/<id:item_id>/decision/", api.DecisionView.as_view(),
         name="api-meeting-item-decision"),
    path("meetings/<id:meeting_id>/items/<id:item_id>/follow-up/", api.FollowUpView.as_view(),
         name="api-meeting-item-follow-up"),
    path("meetings/<id:meeting_id>/attendance/", api.AttendanceView.as_view(),
         name="api-meeting-attendance"),
    *[
        path(f"meetings/<id:meeting_id>/{action.value}/", api.move_view(action).as_view(),
             name=f"api-meeting-{action.value}")
        for action in Action
    ],
    path("meetings/<id:meeting_id>/packet/", api_packets.PacketView.as_view(),
         name="api-meeting-packet"),
    path("meetings/<id:meeting_id>/packet.pdf", api_packets.PacketPdfView.as_view(),
         name="api-meeting-packet-pdf"),
    path("meetings/<id:meeting_id>/meeting.ics", api.MeetingIcsView.as_view(),
         name="api-meeting-ics"),
    path("metrics/", api.MetricsView.as_view(), name="api-metrics"),
]
