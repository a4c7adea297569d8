"""The follow-through with real services (CI: PostgreSQL + Redis + a worker process): the overdue
pass runs in the worker and alerts the owner (the alert delivered by the worker);
the signed minutes are issued by the worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from followthrough import services
from followthrough.models import FollowThroughTask, MinutesSignoff
from followthrough.tasks import escalate_overdue
from referrals.models import Alert
from referrals.tasks import deliver_alert
from tests.conftest import ServiceProcess, wait_for
from tests.followthrough.conftest import decide_and_finalize

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_overdue_pass_in_the_worker_alerts_the_owner(
        session, coordinator, neurosurgeon, mdt_case,
        celery_worker_process: ServiceProcess) -> None:
    """The beat's task, run by the worker, claims the overdue task and writes the owner's alert
    (running it twice alerts once: tests/followthrough/test_escalation.py); the worker then
    delivers that alert. (A task the worker enqueues goes to the production queue, which this
    session's worker does not read: the delivery is sent from here.)"""
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    mri = FollowThroughTask.objects.get(case=mdt_case, kind="restaging_mri")
    FollowThroughTask.objects.filter(pk=mri.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1))
    escalate_overdue.delay()

    def alerted() -> Alert | None:
        return Alert.objects.filter(kind="task_overdue", step=mri.pk).first()

    try:
        alert = wait_for(alerted, timeout=30, interval=0.3)
    except pytest.fail.Exception:
        pytest.fail(f"no overdue alert:\n{celery_worker_process.log()[-3000:]}", pytrace=False)
    assert alert.recipient_id == neurosurgeon.pk
    assert FollowThroughTask.objects.get(pk=mri.pk).overdue_alerted_at is not None
    deliver_alert.delay(alert.pk)
    wait_for(lambda: Alert.objects.filter(pk=alert.pk, sent_at__isnull=False).exists(),
             timeout=30, interval=0.3)
    assert Alert.objects.filter(kind="task_overdue", step=mri.pk).count() == 1


def test_the_worker_issues_the_signed_minutes(session, coordinator, neurosurgeon,
                                              celery_worker_process: ServiceProcess) -> None:
    meeting = decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon,
                                  pathway="cebrt")
    signoff = services.minutes_signoff(meeting=meeting, actor=neurosurgeon)

    def issued() -> MinutesSignoff | None:
        row = MinutesSignoff.objects.get(pk=signoff.pk)
        return row if row.file else None

    try:
        row = wait_for(issued, timeout=60, interval=0.5)
    except pytest.fail.Exception:
        pytest.fail(f"minutes not issued:\n{celery_worker_process.log()[-3000:]}",
                    pytrace=False)
    path = Path(settings.MEDIA_ROOT) / row.file
    try:
        assert path.read_bytes().startswith(b"%PDF") and row.page_count >= 1
    finally:
        path.unlink(missing_ok=True)
