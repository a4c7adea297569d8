"""Meeting pages, under /meetings/ (namespace ``meetings``)."""

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("<id:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path("<id:meeting_id>/session/", views.meeting_session, name="meeting-session"),
    path("<id:meeting_id>/live/", views.meeting_live, name="meeting-live"),
    path("<id:meeting_id>/populate/", views.meeting_populate, name="populate"),
    path("<id:meeting_id>/add/", views.item_add, name="item-add"),
    path("<id:meeting_id>/find/", views.item_find, name="item-find"),
    path("<id:meeting_id>/items/<id:item_id>/move/<str:direction>/", views.item_move,
         name="item-move"),
    path("<id:meeting_id>/items/<id:item_id>/decide/", views.item_decide, name="item-decide"),
    path("<id:meeting_id>/items/<id:item_id>/prepare/", views.item_prepare,
         name="item-prepare"),
    path("<id:meeting_id>/items/<id:item_id>/opinion/", views.opinion_add, name="opinion-add"),
    path("<id:meeting_id>/items/<id:item_id>/follow-up/", views.item_follow_up,
         name="item-follow-up"),
    path("<id:meeting_id>/attendance/<id:user_id>/", views.attendance, name="attendance"),
    path("<id:meeting_id>/move/<slug:action>/", views.meeting_move, name="move"),
    path("<id:meeting_id>/packet/", views.packet_request, name="packet-request"),
    path("<id:meeting_id>/packet/<slug:kind>.pdf", views.packet_download,
         name="packet-download"),
    path("<id:meeting_id>/meeting.ics", views.meeting_ics, name="ics"),
]
