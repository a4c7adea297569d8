"""The overdue pass (CLINICAL.md §15): an overdue task alerts its owner, then, 24 hours after it
fell due, the MDT coordinators; once each, however often the pass runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from followthrough import services
from followthrough.models import FollowThroughTask
from referrals.models import Alert
from tests.followthrough.conftest import decide_and_finalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(session, coordinator, neurosurgeon, mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    return {t.kind: t for t in FollowThroughTask.objects.filter(case=mdt_case)}


def _alerts(kind):
    return sorted(Alert.objects.filter(kind=kind).values_list("recipient__username", "step"))


def test_nothing_happens_before_the_due_time(tasks):
    soonest = min(t.due_at for t in tasks.values())
    assert services.escalate_overdue(now=soonest - dt.timedelta(minutes=1)) == {
        "overdue": 0, "escalated": 0}
    assert _alerts("task_overdue") == [] and _alerts("task_escalated") == []


def test_an_overdue_task_alerts_its_owner_then_the_coordinators_a_day_later(tasks):
    mri = tasks["restaging_mri"]  # bob's
    FollowThroughTask.objects.exclude(pk=mri.pk).update(status="done", done_at=timezone.now(),
                                                         done_by=mri.owner)
    just_late = mri.due_at + dt.timedelta(minutes=5)
    assert services.escalate_overdue(now=just_late) == {"overdue": 1, "escalated": 0}
    assert _alerts("task_overdue") == [("bob", mri.pk)]
    assert _alerts("task_escalated") == []
    # Again, and again later the same day: nothing new.
    assert services.escalate_overdue(now=just_late) == {"overdue": 0, "escalated": 0}
    assert services.escalate_overdue(now=mri.due_at + dt.timedelta(hours=23)) == {
        "overdue": 0, "escalated": 0}
    a_day_late = mri.due_at + dt.timedelta(hours=24, minutes=1)
    assert services.escalate_overdue(now=a_day_late) == {"overdue": 0, "escalated": 1}
    assert _alerts("task_escalated") == [("carol", mri.pk)]
    assert services.escalate_overdue(now=a_day_late + dt.timedelta(hours=5)) == {
        "overdue": 0, "escalated": 0}
    assert len(_alerts("task_overdue")) == 1 and len(_alerts("task_escalated")) == 1


def test_an_unassigned_overdue_task_alerts_the_coordinators(tasks):
    queue_task = tasks["radiotherapy_started"]
    services.escalate_overdue(now=queue_task.due_at + dt.timedelta(minutes=1))
    assert ("carol", queue_task.pk) in _alerts("task_overdue")


def test_a_done_task_never_escalates(tasks, neurosurgeon):
    mri = tasks["restaging_mri"]
    services.task_done(task=mri, actor=neurosurgeon)
    services.escalate_overdue(now=mri.due_at + dt.timedelta(days=3))
    assert mri.pk not in {step for _, step in _alerts("task_overdue")}


def test_the_pass_is_in_the_beat_schedule():
    from tumorboard.celery import app

    app.loader.import_default_modules()
    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "followthrough.tasks.escalate_overdue" in entries
    assert "followthrough.tasks.escalate_overdue" in app.tasks
