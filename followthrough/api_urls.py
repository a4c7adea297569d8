"""REST routes of the follow-through (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("tasks/", api.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<id:task_id>/", api.TaskDetailView.as_view(), name="api-task"),
]
