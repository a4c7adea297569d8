"""Meeting pages, under /meetings/ (namespace ``meetings``)."""

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path("<int:meeting_id>/session/", views.meeting_session, name="meeting-session"),
    path("<int:meeting_id>/populate/", views.meeting_populate, name="populate"),
    path("<int:meeting_id>/add/", views.item_add, name="item-add"),
    path("<int:meeting_id>/items/<int:item_id>/move/<str:direction>/", views.item_move,
         name="item-move"),
    path("<int:meeting_id>/items/<int:item_id>/decide/", views.item_decide, name="item-decide"),
    path("<int:meeting_id>/items/<int:item_id>/follow-up/", views.item_follow_up,
         name="item-follow-up"),
    path("<int:meeting_id>/attendance/<int:user_id>/", views.attendance, name="attendance"),
    path("<int:meeting_id>/move/<slug:action>/", views.meeting_move, name="move"),
    path("<int:meeting_id>/packet/", views.packet_request, name="packet-request"),
    path("<int:meeting_id>/packet/<slug:kind>.pdf", views.packet_download,
         name="packet-download"),
    path("<int:meeting_id>/meeting.ics", views.meeting_ics, name="ics"),
]
