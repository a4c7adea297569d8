"""Reads of the follow-through: every list starts from the access rule (cases.access), so a
task is seen by exactly those who see its case; each list is a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as DbCase
from django.utils import timezone

from cases.access import case_list_visible_to, visible_rows
from cases.selectors import CaseDetail
from tumorboard.models import TeamMembership, User

from .models import FollowThroughTask, TaskStatus


def task_list_visible_to(*, user: User) -> QuerySet[FollowThroughTask]:
    """The tasks of the cases ``user`` sees (THE rule), with what a list shows joined."""
    return (visible_rows(FollowThroughTask.objects.all(), user=user)
            .select_related("owner", "done_by", "decision__item__meeting"))


def is_overdue(task: FollowThroughTask, now: dt.datetime | None = None) -> bool:
    return task.status == TaskStatus.OPEN and task.due_at < (now or timezone.now())


SCOPES = ("mine", "team", "overdue", "unassigned")


def tasks_in_scope(*, user: User, scope: str, now: dt.datetime | None = None,
                   ) -> QuerySet[FollowThroughTask]:
    """The tasks page's lists (open tasks): ``mine``; ``team``: the open tasks of the cases of
    my teams (and, for a coordinator, of the institution: what they see); ``overdue``: the
    visible open tasks past due; ``unassigned``: the coordinators' queue."""
    now = now or timezone.now()
    visible = task_list_visible_to(user=user).filter(status=TaskStatus.OPEN)
    if scope == "mine":
        return visible.filter(owner=user)
    if scope == "overdue":
        return visible.filter(due_at__lt=now)
    if scope == "unassigned":
        return visible.filter(owner=None)
    teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
    return visible.filter(Q(case__breast_team_id__in=teams) | Q(case__spine_team_id__in=teams)
                          | Q(case__mdt_team_id__in=teams) | Q(owner=user))


@dataclass
class MyTasks:
    """The "My tasks" card of a home page: the open tasks of the person, soonest first."""

    tasks: list[FollowThroughTask]
    open_count: int
    overdue_count: int
    unassigned_count: int


def my_tasks(*, user: User, limit: int = 8) -> MyTasks:
    """Two queries whatever the number of tasks."""
    now = timezone.now()
    counts = (task_list_visible_to(user=user).filter(status=TaskStatus.OPEN)
              .aggregate(open=Count("pk", filter=Q(owner=user)),
                         overdue=Count("pk", filter=Q(owner=user, due_at__lt=now)),
                         unassigned=Count("pk", filter=Q(owner=None))))
    tasks = list(tasks_in_scope(user=user, scope="mine", now=now).order_by("due_at", "pk")
                 .select_related("case__patient")[:limit])
    for task in tasks:
        task.overdue = task.due_at < now  # type: ignore[attr-defined]
    return MyTasks(tasks, counts["open"], counts["overdue"],
                   counts["unassigned"] if user.role == "coordinator" else 0)


def with_overdue(tasks: QuerySet[FollowThroughTask], now: dt.datetime | None = None,
                 ) -> QuerySet[FollowThroughTask]:
    """``overdue`` on each row: open and past its due time."""
    return tasks.annotate(overdue=DbCase(
        When(status=TaskStatus.OPEN, due_at__lt=now or timezone.now(), then=Value(True)),
        default=Value(False), output_field=BooleanField()))


def fill_case_status(detail: CaseDetail) -> None:
    """The follow-through part of the case status (registered in ``followthrough.apps``): the
    case's tasks, open first, soonest first. A lazy queryset: one query when a page shows it,
    none for the endpoints that do not."""
    tasks = (FollowThroughTask.objects.filter(case_id=detail.case.pk)
             .select_related("owner", "done_by", "decision")
             .annotate(closed=DbCase(When(status=TaskStatus.OPEN, then=Value(0)), default=Value(1)))
             .order_by("closed", "due_at", "pk"))
    detail.follow_through_tasks = with_overdue(tasks)  # type: ignore[attr-defined]


#: The quality measures of CLINICAL.md §14 this app computes (meetings.metrics shows them).
IMPLEMENTATION_MEASURES = ("share_tasks_done_30_days", "share_tasks_done_90_days")


def implementation_by_month(user: User, now: dt.datetime) -> dict[str, dict[str, Any]]:
    """CLINICAL.md §14 "share of MDT decisions carried out at 30 and 90 days", from the tasks
    (§15), per month of the decision, over the cases ``user`` sees: of the tasks due within 30
    (90) days of their decision, once those 30 (90) days have passed, the share done within 30
    (90) days of the decision (a task not done counts against it). One query."""
    tasks = (visible_rows(FollowThroughTask.objects.all(), user=user)
             .values_list("status", "due_at", "done_at", "decision__decided_at"))
    counts: dict[str, dict[int, list[int]]] = {}
    for status, due_at, done_at, decided in tasks:
        month = timezone.localtime(decided).strftime("%Y-%m")
        for days in (30, 90):
            window = dt.timedelta(days=days)
            if due_at > decided + window or decided + window > now:
                continue
            done = (status == TaskStatus.DONE and done_at is not None
                    and done_at <= decided + window)
            tally = counts.setdefault(month, {}).setdefault(days, [0, 0])
            tally[0] += int(done)
            tally[1] += 1
    return {month: {f"share_tasks_done_{days}_days": round(done / total, 3)
                    for days, (done, total) in by_days.items()}
            for month, by_days in counts.items()}


def sees_all_cases(*, user: User, case_ids: list[int]) -> bool:
    """Whether ``user`` sees every one of these cases (the signed minutes hold them all)."""
    wanted = set(case_ids)
    return case_list_visible_to(user=user).filter(pk__in=wanted).count() == len(wanted)
