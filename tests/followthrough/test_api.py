"""/api/v1/tasks/: list (cursor pagination, updated_since), detail (ETag), PATCH done / not
done; the access rule of the task's case (another's task is a 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from followthrough.models import FollowThroughTask
from tests.followthrough.conftest import decide_and_finalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(session, coordinator, neurosurgeon, mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    return {t.kind: t for t in FollowThroughTask.objects.filter(case=mdt_case)}


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_list_shows_the_care_teams_tasks_and_nothing_to_an_outsider(tasks, breast_surgeon,
                                                                         outsider):
    body = _api(breast_surgeon).get(reverse("api-tasks")).json()
    assert {row["id"] for row in body["results"]} == {t.pk for t in tasks.values()}
    row = next(r for r in body["results"] if r["id"] == tasks["radiotherapy_started"].pk)
    assert row["unassigned"] is True and row["owner"] is None and row["status"] == "open"
    assert row["kind"] == "radiotherapy_started" and row["pathway"] == "cebrt"
    assert _api(outsider).get(reverse("api-tasks")).json()["results"] == []
    assert _api(outsider).get(
        reverse("api-task", args=[tasks["restaging_mri"].pk])).status_code == 404


def test_the_list_filters_and_pages_with_a_cursor(tasks, neurosurgeon):
    api = _api(neurosurgeon)
    mine = api.get(reverse("api-tasks"), {"mine": "true"}).json()["results"]
    assert [row["id"] for row in mine] == [tasks["restaging_mri"].pk]
    first = api.get(reverse("api-tasks"), {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(ids) == sorted(t.pk for t in tasks.values())
    assert api.get(reverse("api-tasks"), {"updated_since": "yesterday"}).status_code == 400
    assert api.get(reverse("api-tasks"), {"status": "finished"}).status_code == 400


def test_updated_since_sees_a_task_done(tasks, neurosurgeon):
    api = _api(neurosurgeon)
    poll = api.get(reverse("api-tasks")).json()["poll"]
    assert api.get(poll).json()["results"] == []
    api.patch(reverse("api-task", args=[tasks["restaging_mri"].pk]), {"status": "done"},
              format="json")
    changed = api.get(poll).json()["results"]
    assert [row["id"] for row in changed] == [tasks["restaging_mri"].pk]


def test_detail_carries_an_etag(tasks, neurosurgeon):
    api = _api(neurosurgeon)
    url = reverse("api-task", args=[tasks["restaging_mri"].pk])
    response = api.get(url)
    assert response.status_code == 200 and response["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    api.patch(url, {"status": "done"}, format="json")
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_patch_done_and_not_done(tasks, neurosurgeon, breast_surgeon):
    url = reverse("api-task", args=[tasks["restaging_mri"].pk])
    body = _api(neurosurgeon).patch(url, {"status": "done", "done_on": None},
                                    format="json").json()
    assert body["status"] == "done" and body["done_by"] == neurosurgeon.pk
    again = _api(neurosurgeon).patch(url, {"status": "not_done", "not_done_reason": "x"},
                                     format="json")
    assert again.status_code == 409
    other = reverse("api-task", args=[tasks["systemic_resumed"].pk])
    body = _api(breast_surgeon).patch(other, {"status": "not_done",
                                              "not_done_reason": "Declined."},
                                      format="json").json()
    assert body["status"] == "not_done" and body["not_done_reason"] == "Declined."


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "status"),
    ({"status": "open"}, "status"),
    ({"status": "not_done"}, "not_done_reason"),
    ({"status": "not_done", "not_done_reason": "   "}, "not_done_reason"),
    ({"status": "done", "done_on": "2999-01-01"}, "done_on"),
    ({"status": "done", "done_on": "tomorrow"}, "done_on"),
    ({"status": "done", "not_done_reason": "why"}, "not_done_reason"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(tasks, neurosurgeon, payload,
                                                                 field):
    task = tasks["restaging_mri"]
    response = _api(neurosurgeon).patch(reverse("api-task", args=[task.pk]), payload,
                                        format="json")
    assert response.status_code == 400
    assert field in response.json()
    task.refresh_from_db()
    assert task.status == "open"


def test_the_list_runs_a_constant_number_of_queries(tasks, neurosurgeon,
                                                    django_assert_max_num_queries):
    api = _api(neurosurgeon)
    api.get(reverse("api-tasks"))
    with django_assert_max_num_queries(12) as one:
        assert len(api.get(reverse("api-tasks"), {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get(reverse("api-tasks")).json()["results"]) == 3
