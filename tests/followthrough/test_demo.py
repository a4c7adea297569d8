"""Demo data: the finalized demo meeting's decisions produced tasks, some overdue, one done;
seeding again changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from followthrough.models import FollowThroughTask
from tumorboard.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_tasks_some_overdue_once(client) -> None:
    call_command("seed_demo", verbosity=0)
    tasks = FollowThroughTask.objects.filter(decision__item__meeting__status="finalized")
    first = sorted(tasks.values_list("pk", "status", "due_at"))
    assert len(first) >= 2
    overdue = tasks.filter(status="open", due_at__lt=timezone.now())
    assert overdue.exists()
    assert tasks.filter(status="done").count() == 1
    call_command("seed_demo", verbosity=0)
    assert sorted(tasks.values_list("pk", "status", "due_at")) == first
    owner = overdue.exclude(owner=None).first().owner
    client.force_login(User.objects.get(pk=owner.pk))
    page = client.get(reverse("followthrough:task-list") + "?scope=overdue").content.decode()
    assert "Overdue" in page
