"""The tasks page, "My tasks" on the home pages and the case page's tasks (issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followthrough.models import FollowThroughTask
from tests.followthrough.conftest import decide_and_finalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(session, coordinator, neurosurgeon, mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    return {t.kind: t for t in FollowThroughTask.objects.filter(case=mdt_case)}


def test_my_tasks_on_the_home_page(client, tasks, neurosurgeon, breast_surgeon):
    client.force_login(neurosurgeon)
    page = client.get(reverse("home-neuro")).content.decode()
    assert 'id="my-tasks"' in page
    assert f'id="my-task-{tasks["restaging_mri"].pk}"' in page
    assert f'id="my-task-{tasks["systemic_resumed"].pk}"' not in page  # alice's
    client.force_login(breast_surgeon)
    page = client.get(reverse("home-breast")).content.decode()
    assert f'id="my-task-{tasks["systemic_resumed"].pk}"' in page


def test_the_coordinator_sees_the_unassigned_queue(client, tasks, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("followthrough:task-list")).content.decode()
    assert f'id="task-{tasks["radiotherapy_started"].pk}"' in page
    assert "Unassigned" in page
    assert f'id="task-{tasks["restaging_mri"].pk}"' not in page  # owned: not in the queue


def test_the_tasks_page_lists_and_marks_done(client, tasks, neurosurgeon):
    client.force_login(neurosurgeon)
    url = reverse("followthrough:task-list")
    page = client.get(url).content.decode()
    mri = tasks["restaging_mri"]
    assert f'id="task-{mri.pk}"' in page
    response = client.post(reverse("followthrough:task-done", args=[mri.pk]),
                           {"done_on": "", "next": url}, follow=True)
    assert response.status_code == 200
    mri.refresh_from_db()
    assert mri.status == "done" and mri.done_by == neurosurgeon
    assert f"Task {mri.pk}" in response.content.decode()


def test_not_done_without_a_reason_names_the_field_and_changes_nothing(client, tasks,
                                                                      breast_surgeon):
    client.force_login(breast_surgeon)
    task = tasks["systemic_resumed"]
    response = client.post(reverse("followthrough:task-not-done", args=[task.pk]),
                           {"not_done_reason": "  "}, follow=True)
    assert "not done reason" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    client.post(reverse("followthrough:task-not-done", args=[task.pk]),
                {"not_done_reason": "Patient declined."})
    task.refresh_from_db()
    assert task.status == "not_done" and task.not_done_reason == "Patient declined."


def test_a_future_done_date_is_refused(client, tasks, neurosurgeon):
    client.force_login(neurosurgeon)
    mri = tasks["restaging_mri"]
    response = client.post(reverse("followthrough:task-done", args=[mri.pk]),
                           {"done_on": "2999-01-01"}, follow=True)
    assert "done on: cannot be in the future" in response.content.decode()
    mri.refresh_from_db()
    assert mri.status == "open"


def test_an_outsider_gets_404_and_changes_nothing(client, tasks, outsider):
    client.force_login(outsider)
    mri = tasks["restaging_mri"]
    assert client.post(reverse("followthrough:task-done", args=[mri.pk])).status_code == 404
    page = client.get(reverse("followthrough:task-list") + "?scope=overdue").content.decode()
    assert f'id="task-{mri.pk}"' not in page
    mri.refresh_from_db()
    assert mri.status == "open"


def test_an_unknown_list_is_404(client, tasks, neurosurgeon):
    client.force_login(neurosurgeon)
    assert client.get(reverse("followthrough:task-list") + "?scope=all").status_code == 404


def test_the_case_page_shows_its_tasks(client, tasks, breast_surgeon, mdt_case):
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[mdt_case.pk])).content.decode()
    assert 'id="follow-through"' in page
    for task in tasks.values():
        assert f'id="task-{task.pk}"' in page


def test_the_tasks_page_runs_a_constant_number_of_queries(client, tasks, neurosurgeon,
                                                          django_assert_max_num_queries):
    from django.utils import timezone

    client.force_login(neurosurgeon)
    url = reverse("followthrough:task-list") + "?scope=team"
    others = [t.pk for kind, t in tasks.items() if kind != "restaging_mri"]
    FollowThroughTask.objects.filter(pk__in=others).update(
        status="done", done_at=timezone.now(), done_by=neurosurgeon)
    client.get(url)
    with django_assert_max_num_queries(20) as one:
        page = client.get(url).content.decode()
    assert page.count('<tr id="task-') == 1
    FollowThroughTask.objects.filter(pk__in=others).update(status="open", done_at=None,
                                                          done_by=None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('<tr id="task-') == 3


def test_the_coordinator_assigns_a_queued_task_from_the_page(client, tasks, coordinator,
                                                             oncologist, neurosurgeon):
    task = tasks["radiotherapy_started"]
    client.force_login(coordinator)
    page = client.get(reverse("followthrough:task-list") + "?scope=unassigned").content.decode()
    assert f'id="owner-{task.pk}"' in page
    url = reverse("followthrough:task-assign", args=[task.pk])
    response = client.post(url, {"owner": ""}, follow=True)
    assert "owner: choose the clinician" in response.content.decode()
    response = client.post(url, {"owner": str(coordinator.pk)}, follow=True)
    assert "owner: the owner of a task is an active clinician" in response.content.decode()
    task.refresh_from_db()
    assert task.owner is None
    client.post(url, {"owner": str(oncologist.pk)})
    task.refresh_from_db()
    assert task.owner == oncologist
    client.force_login(neurosurgeon)  # only the coordinators assign
    client.post(url, {"owner": str(neurosurgeon.pk)})
    task.refresh_from_db()
    assert task.owner == oncologist


def test_the_radiation_oncologists_home_shows_their_tasks(client, tasks, coordinator):
    """The radiation oncologist's home (issue 19) carries "My tasks" like every clinician's."""
    from followthrough import services
    from tests.factories import UserFactory
    from tumorboard.roles import Role

    radonc = UserFactory(username="rita", role=Role.RADIATION_ONCOLOGIST,
                         institution=coordinator.institution)
    task = services.task_assign(task=tasks["radiotherapy_started"], actor=coordinator,
                                owner=radonc)
    client.force_login(radonc)
    page = client.get(reverse("home-radonc")).content.decode()
    assert 'id="my-tasks"' in page
    assert f'id="my-task-{task.pk}"' in page
