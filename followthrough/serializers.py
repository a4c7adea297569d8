"""REST serializers of the follow-through tasks (each with a unique, explicit name)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from .models import FollowThroughTask, TaskStatus
from .policy import TaskKind


class FollowThroughTaskSerializer(serializers.ModelSerializer):
    """One task: ids only (no patient identifier), the owner null when unassigned (the MDT
    coordinators' queue)."""

    meeting = serializers.IntegerField(source="decision.item.meeting_id", read_only=True)
    pathway = serializers.CharField(source="decision.pathway", read_only=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    unassigned = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowThroughTask
        fields = ["id", "case", "decision", "meeting", "pathway", "kind", "owner", "unassigned",
                  "due_at", "overdue", "status", "done_at", "done_by", "not_done_reason",
                  "policy_version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_unassigned(self, task: FollowThroughTask) -> bool:
        return task.owner_id is None

    def get_overdue(self, task: FollowThroughTask) -> bool:
        return task.status == TaskStatus.OPEN and task.due_at < timezone.now()


class FollowThroughTaskUpdateSerializer(serializers.Serializer):
    """PATCH body: ``{"status": "done", "done_on": "2026-03-04"}`` (the date defaults to today)
    or ``{"status": "not_done", "not_done_reason": "..."}`` (the reason is required)."""

    status = serializers.ChoiceField(choices=[TaskStatus.DONE, TaskStatus.NOT_DONE])
    done_on = serializers.DateField(required=False, allow_null=True)
    not_done_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["status"] == TaskStatus.NOT_DONE:
            if not (attrs.get("not_done_reason") or "").strip():
                raise serializers.ValidationError(
                    {"not_done_reason": "say why the task is not done"})
            if attrs.get("done_on"):
                raise serializers.ValidationError(
                    {"done_on": "a date only when the task was done"})
        elif (attrs.get("not_done_reason") or "").strip():
            raise serializers.ValidationError(
                {"not_done_reason": "a reason only when the task is not done"})
        return attrs
