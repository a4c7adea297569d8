"""Follow-through after an MDT decision (CLINICAL.md §15): the tasks that carry a finalized
decision out, and the chair's sign-off of the minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .policy import TaskKind


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"


class FollowThroughTask(models.Model):
    """One task of a finalized decision: owned by a named clinician (or, when the care team has
    nobody of the owner's role, by the MDT coordinators' queue: ``owner`` null, shown as
    unassigned), due at ``due_at``; done with its date and who did it, or closed as not done
    with a reason (§15)."""

    Status = TaskStatus
    Kind = TaskKind

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT,
                             related_name="follow_through_tasks")
    decision = models.ForeignKey("meetings.Decision", on_delete=models.PROTECT,
                                 related_name="follow_through_tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="follow_through_tasks")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)  # done on, or closed as not done at
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    not_done_reason = models.TextField(blank=True)
    policy_version = models.CharField(max_length=32)
    # The overdue pass (followthrough.services.escalate_overdue): claimed once each.
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="ft_task_once_per_decision"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values),
                                   name="ft_task_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=TaskKind.values),
                                   name="ft_task_kind_valid"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, done_at=None, done_by=None,
                            not_done_reason="")
                | Q(status=TaskStatus.DONE, done_at__isnull=False, done_by__isnull=False,
                    not_done_reason="")
                | (Q(status=TaskStatus.NOT_DONE, done_at__isnull=False, done_by__isnull=False)
                   & ~Q(not_done_reason="")),
                name="ft_task_closure_consistent"),
        ]
        indexes = [
            # "My tasks": a person's open tasks by due time.
            models.Index(fields=["owner", "due_at"], condition=Q(status="open"),
                         name="ft_task_open_owner_idx"),
            # The overdue pass: open tasks due before now.
            models.Index(fields=["due_at"], condition=Q(status="open"),
                         name="ft_task_open_due_idx"),
            # The poll of REST clients: ?updated_since=...
            models.Index(fields=["updated_at"], name="ft_task_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.kind}) of case {self.case_id}"


class MinutesSignoff(models.Model):
    """The chair's sign-off of the minutes of a finalized meeting: one per meeting. The signed
    minutes are then issued as a PDF, rendered by a worker (followthrough.minutes); ``file`` is
    empty until it is."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT,
                                   related_name="minutes_signoff")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    # MEDIA_ROOT/minutes/<random>.pdf: no name or MRN in a file name.
    file = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"minutes of meeting {self.meeting_id} signed off"
