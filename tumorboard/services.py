"""Writes of the project package."""

from __future__ import annotations

from django.db import transaction

from .models import TaskProbe, User
from .tasks import run_probe


@transaction.atomic
def task_probe_send(*, actor: User) -> TaskProbe:
    probe = TaskProbe.objects.create(requested_by=actor)
    run_probe.delay_on_commit(probe.pk)
    return probe
