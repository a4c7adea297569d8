"""The 30- and 90-day implementation shares of CLINICAL.md §14, from the tasks (§15), in the
MDT quality measures (page and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from followthrough.models import FollowThroughTask
from meetings.models import Decision
from tests.followthrough.conftest import decide_and_finalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(session, coordinator, neurosurgeon, breast_surgeon, mdt_case):
    """A cEBRT decision 100 days ago: radiotherapy due at 14 days (done at 10), systemic therapy
    due at 28 (done at 60), restaging MRI due at 104 (open)."""
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    decided = timezone.now() - dt.timedelta(days=100)
    Decision.objects.filter(item__case=mdt_case).update(decided_at=decided)
    tasks = FollowThroughTask.objects.filter(case=mdt_case)
    day = dt.timedelta(days=1)
    tasks.filter(kind="radiotherapy_started").update(
        due_at=decided + 14 * day, status="done", done_at=decided + 10 * day,
        done_by=neurosurgeon)
    tasks.filter(kind="systemic_resumed").update(
        due_at=decided + 28 * day, status="done", done_at=decided + 60 * day,
        done_by=breast_surgeon)
    tasks.filter(kind="restaging_mri").update(due_at=decided + 104 * day)
    return timezone.localtime(decided).strftime("%Y-%m")


def test_the_shares_come_from_the_tasks(client, month, breast_surgeon):
    client.force_login(breast_surgeon)
    response = client.get(reverse("meetings:metrics"))
    row = next(r for r in response.context["rows"] if r["month"] == month)
    assert row["share_tasks_done_30_days"] == 0.5  # 1 of the 2 tasks due within 30 days
    assert row["share_tasks_done_90_days"] == 1.0  # both done within 90 days
    page = response.content.decode()
    assert "Tasks done within 30 days" in page and "50" in page


def test_the_api_carries_them_and_an_outsider_sees_none(month, breast_surgeon, outsider):
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    rows = api.get("/api/v1/metrics/").json()
    row = next(r for r in rows if r["month"] == month)
    assert row["share_tasks_done_30_days"] == 0.5 and row["share_tasks_done_90_days"] == 1.0
    api.force_authenticate(outsider)
    rows = api.get("/api/v1/metrics/").json()
    assert all(r.get("share_tasks_done_30_days") is None for r in rows)


def test_a_window_not_yet_over_is_not_counted(session, coordinator, neurosurgeon, mdt_case,
                                              breast_surgeon, client):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    client.force_login(breast_surgeon)
    rows = client.get(reverse("meetings:metrics")).context["rows"]
    assert all(r["share_tasks_done_30_days"] is None for r in rows)


def test_the_measure_part_is_registered():
    from followthrough.selectors import IMPLEMENTATION_MEASURES, implementation_by_month
    from meetings.metrics import measure_parts

    assert measure_parts()["followthrough"] == (IMPLEMENTATION_MEASURES, implementation_by_month)
