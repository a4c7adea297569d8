"""The follow-through in the browser (issue 18): on the demo data, the coordinator's queue and
overdue tasks, a task marked done from the tasks page, and "My tasks" on a clinician's home;
each page screenshot under test-artifacts/browser/18-follow-through/ and checked by axe-core."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_tasks_are_seen_and_done_in_the_browser(clinician) -> None:
    from followthrough.models import FollowThroughTask

    call_command("seed_demo", verbosity=0)
    coordinator = clinician("18-follow-through")
    coordinator.login("coordinator", settings.DEMO_PASSWORD)
    coordinator.check("coordinator-home")
    coordinator.goto("/tasks/?scope=overdue")
    coordinator.check("coordinator-overdue")
    overdue = coordinator.page.locator("main tbody tr")
    assert overdue.count() >= 1
    assert "Overdue" in overdue.first.inner_text()
    first_id = int(overdue.first.get_attribute("id").removeprefix("task-"))
    overdue.first.get_by_role("button", name="Done", exact=True).click()
    coordinator.page.wait_for_load_state()
    coordinator.check("coordinator-after-done")
    assert FollowThroughTask.objects.get(pk=first_id).status == "done"
    owner = FollowThroughTask.objects.filter(status="open").exclude(owner=None).first().owner
    person = clinician("18-follow-through")
    person.login(owner.username, settings.DEMO_PASSWORD)
    assert "My tasks" in person.page.inner_text("main")
    person.check(f"{owner.username}-home")
