"""REST endpoints of the follow-through tasks, under /api/v1/tasks/. Thin: the access rule of the
task's case decides who sees it (another's task is a 404); PATCH marks it done or not done
through the services (400 naming the field, 409 when it is already closed)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import audit
from tumorboard.api import IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from tumorboard.api_errors import errors, validated
from tumorboard.filters import UtcIsoDateTimeFilter
from tumorboard.models import User

from . import selectors, services
from .models import FollowThroughTask, TaskStatus
from .policy import TaskKind
from .serializers import FollowThroughTaskSerializer, FollowThroughTaskUpdateSerializer

ERR_409 = OpenApiResponse(description="the task is already done or closed; nothing changed")


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices)
    case = django_filters.NumberFilter(field_name="case_id", min_value=1)
    mine = django_filters.BooleanFilter(method="filter_mine",
                                        help_text="true: only the caller's own tasks")
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="ISO 8601 date-time: tasks changed at or after it (for clients that poll)")

    class Meta:
        model = FollowThroughTask
        fields = ["status", "kind", "case", "mine", "updated_since"]

    def filter_mine(self, queryset: QuerySet[FollowThroughTask], name: str,
                    value: bool | None) -> QuerySet[FollowThroughTask]:
        if value is None:
            return queryset
        user = self.request.user if self.request is not None else None
        mine = queryset.filter(owner_id=getattr(user, "pk", None))
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))


class _TaskView(APIView):
    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def task(self, task_id: int) -> FollowThroughTask:
        task = (selectors.task_list_visible_to(user=self.actor).select_related("case")
                .filter(pk=task_id).first())
        if task is None:
            audit.record_denied(actor=self.actor, case_id=None, what="follow_through_task")
            raise Http404("No such task.")
        return task


@extend_schema(tags=["tasks"])
class TaskListView(_TaskView, generics.ListAPIView):
    """Follow-through tasks of the caller's cases (CLINICAL.md §15) in (updated_at, id) order;
    cursor pagination, so that a client polling with ``updated_since`` misses no change."""

    serializer_class = FollowThroughTaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[FollowThroughTask]:
        return selectors.task_list_visible_to(user=self.actor)

    @extend_schema(operation_id="tasks_list",
                   responses={200: FollowThroughTaskSerializer(many=True), **errors(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        shown = sorted({item["case"] for item in response.data.get("results", [])})
        audit.record_list_read(actor=self.actor, case_ids=shown, what="task_list_api")
        return response


@extend_schema(tags=["tasks"])
class TaskDetailView(_TaskView):
    @extend_schema(operation_id="tasks_retrieve", parameters=[IF_NONE_MATCH],
                   responses={200: FollowThroughTaskSerializer, 304: NOT_MODIFIED,
                              **errors(401, 404)})
    def get(self, request: Request, task_id: int) -> Response:
        task = self.task(task_id)
        audit.record(actor=self.actor, action="view", obj=task, case=task.case)
        return conditional_response(request, FollowThroughTaskSerializer(task).data)

    @extend_schema(operation_id="tasks_update",
                   summary="Mark the task done (with the date) or not done (with the reason)",
                   request=FollowThroughTaskUpdateSerializer,
                   responses={200: FollowThroughTaskSerializer, **errors(400, 401, 403, 404),
                              409: ERR_409})
    def patch(self, request: Request, task_id: int) -> Response:
        task = self.task(task_id)
        data = validated(FollowThroughTaskUpdateSerializer, request.data)
        if data["status"] == TaskStatus.DONE:
            task = services.task_done(task=task, actor=self.actor, done_on=data.get("done_on"))
        else:
            task = services.task_not_done(task=task, actor=self.actor,
                                          reason=data["not_done_reason"])
        task = selectors.task_list_visible_to(user=self.actor).get(pk=task.pk)
        return Response(FollowThroughTaskSerializer(task).data)
