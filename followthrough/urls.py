from django.urls import path

from . import views

app_name = "followthrough"

urlpatterns = [
    path("", views.task_list, name="task-list"),
    path("<id:task_id>/done/", views.task_done, name="task-done"),
    path("<id:task_id>/not-done/", views.task_not_done, name="task-not-done"),
    path("<id:task_id>/assign/", views.task_assign, name="task-assign"),
    path("minutes/<id:meeting_id>/sign-off/", views.minutes_signoff, name="minutes-signoff"),
    path("minutes/<id:meeting_id>/signed.pdf", views.minutes_download, name="minutes-download"),
]
