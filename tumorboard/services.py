"""Writes of the project package, and the small helpers every app's services share."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import TaskProbe, User
from .tasks import run_probe

M = TypeVar("M", bound=models.Model)


def required_text(value: str | None, field: str, message: str) -> str:
    """``value`` stripped, or a ValidationError on ``field`` when nothing is left."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def locked(queryset: models.QuerySet[M] | models.Manager[M], pk: object) -> M:
    """The row locked for this transaction (``of=self`` so joined rows stay unlocked; SQLite
    serialises writers instead)."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


@transaction.atomic
def task_probe_send(*, actor: User) -> TaskProbe:
    probe = TaskProbe.objects.create(requested_by=actor)
    run_probe.delay_on_commit(probe.pk)
    return probe
