"""Operational tasks: the worker heartbeat and the operator's probe."""

from celery import Task, shared_task
from django.utils import timezone

from .models import TaskProbe, WorkerHeartbeat


@shared_task(bind=True, name="tumorboard.tasks.heartbeat", ignore_result=True)
def heartbeat(self: Task) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=self.request.hostname or "unknown", defaults={"seen_at": timezone.now()}
    )


@shared_task(bind=True, name="tumorboard.tasks.run_probe", ignore_result=True)
def run_probe(self: Task, probe_id: int) -> None:
    # Conditional update: a redelivered probe keeps its first execution time.
    TaskProbe.objects.filter(id=probe_id, executed_at=None).update(
        executed_at=timezone.now(), worker=self.request.hostname or "unknown"
    )
