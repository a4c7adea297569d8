"""Demo follow-through: the tasks of the demo's finalized meeting (created when it was
finalized; created here for a database seeded before this app), with the first task of each
decision made overdue (so "My tasks", the tasks page and the overdue pass have something to
show) and one task done. Idempotent: the same dates every run; a done task stays done."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min

from meetings.demo import PAST_TITLE
from meetings.models import Meeting
from tumorboard.demo import DemoPeople

from . import services
from .models import FollowThroughTask, TaskStatus


def seed_follow_through(people: DemoPeople) -> int:
    """Returns the number of demo tasks."""
    team = people.teams["Spine Metastasis MDT"]
    past = Meeting.objects.filter(mdt_team=team, title=PAST_TITLE,
                                  status=Meeting.Status.FINALIZED).first()
    if past is None:
        return 0
    services.tasks_for_meeting(meeting=past)
    tasks = FollowThroughTask.objects.filter(decision__item__meeting=past)
    firsts = tasks.values("decision_id").annotate(first=Min("pk")).values_list("first",
                                                                                flat=True)
    # Due three days after the meeting, a week ago: overdue (the overdue pass alerts them).
    tasks.filter(pk__in=list(firsts), status=TaskStatus.OPEN).update(
        due_at=past.starts_at + timedelta(days=3))
    done = tasks.filter(status=TaskStatus.OPEN).exclude(pk__in=list(firsts)).exclude(
        owner=None).order_by("pk").first()
    if (done is not None and done.owner is not None
            and not tasks.filter(status=TaskStatus.DONE).exists()):
        services.task_done(task=done, actor=done.owner)
    return tasks.count()
