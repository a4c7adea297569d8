"""Follow-through tasks as FHIR R4 Task resources (id ft-<id>), beside the referral triage
Tasks: read, search (both kinds), the case Bundle, validated with fhir.resources (R4B)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task
from rest_framework.test import APIClient

from followthrough.models import FollowThroughTask
from followthrough.services import task_not_done
from referrals.models import Referral
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


def _search(api, **params):
    response = api.get("/api/v1/fhir/Task", params)
    assert response.status_code == 200, response.content[:300]
    Bundle.model_validate(response.json())
    return [entry["resource"] for entry in response.json().get("entry", [])]


def test_a_follow_through_task_reads_and_validates(tasks, breast_surgeon, neurosurgeon):
    mri = tasks["restaging_mri"]
    data = _api(breast_surgeon).get(reverse("api-fhir-task", args=[f"ft-{mri.pk}"])).json()
    Task.model_validate(data)
    assert data["id"] == f"ft-{mri.pk}" and data["status"] == "ready"
    assert data["code"]["coding"][0]["code"] == "restaging_mri"
    assert data["basedOn"] == [{"reference": f"CarePlan/{mri.decision_id}"}]
    assert data["owner"]["identifier"]["value"] == str(neurosurgeon.pk)
    assert data["restriction"]["period"]["end"].startswith(mri.due_at.date().isoformat())
    queue = tasks["radiotherapy_started"]
    data = _api(breast_surgeon).get(reverse("api-fhir-task", args=[f"ft-{queue.pk}"])).json()
    Task.model_validate(data)
    assert "owner" not in data  # the coordinators' queue


def test_a_task_not_done_is_cancelled_with_its_reason(tasks, breast_surgeon):
    task = task_not_done(task=tasks["systemic_resumed"], actor=breast_surgeon,
                         reason="Declined.")
    data = _api(breast_surgeon).get(reverse("api-fhir-task", args=[f"ft-{task.pk}"])).json()
    Task.model_validate(data)
    assert data["status"] == "cancelled" and data["statusReason"]["text"] == "Declined."


def test_the_referral_triage_task_keeps_its_id(tasks, breast_surgeon, mdt_case):
    referral = Referral.objects.filter(case=mdt_case).first()
    data = _api(breast_surgeon).get(reverse("api-fhir-task", args=[referral.pk])).json()
    assert data["id"] == str(referral.pk)
    assert data["focus"]["reference"] == f"ServiceRequest/{referral.pk}"


def test_search_returns_both_kinds_and_filters(tasks, breast_surgeon, neurosurgeon, mdt_case):
    api = _api(breast_surgeon)
    found = _search(api, patient=f"Patient/{mdt_case.patient_id}")
    ids = {res["id"] for res in found}
    assert {f"ft-{t.pk}" for t in tasks.values()} <= ids
    assert any(not i.startswith("ft-") for i in ids)  # the referral's triage
    mine = _search(api, owner=f"Practitioner/{neurosurgeon.pk}")
    assert [res["id"] for res in mine] == [f"ft-{tasks['restaging_mri'].pk}"]
    ready = _search(api, status="ready", patient=str(mdt_case.patient_id))
    assert {f"ft-{t.pk}" for t in tasks.values()} <= {res["id"] for res in ready}
    assert _search(api, status="completed", owner=f"Practitioner/{neurosurgeon.pk}") == []
    one = _search(api, _id=f"ft-{tasks['systemic_resumed'].pk}")
    assert [res["id"] for res in one] == [f"ft-{tasks['systemic_resumed'].pk}"]
    assert _search(api, _lastUpdated="gt2999-01-01") == []


def test_search_pages_through_both_kinds(tasks, breast_surgeon):
    api = _api(breast_surgeon)
    everything = [res["id"] for res in _search(api, _count=100)]
    paged = []
    for offset in range(0, len(everything)):
        paged += [res["id"] for res in _search(api, _count=1, _offset=offset)]
    assert paged == everything and len(everything) >= 4


def test_an_outsider_gets_nothing(tasks, outsider):
    api = _api(outsider)
    mri = tasks["restaging_mri"]
    assert api.get(reverse("api-fhir-task", args=[f"ft-{mri.pk}"])).status_code == 404
    assert _search(api) == []
    assert api.get(reverse("api-fhir-task", args=["ft-x"])).status_code == 404
    assert api.get(reverse("api-fhir-task", args=["abc"])).status_code == 404


def test_the_case_bundle_holds_the_tasks(tasks, breast_surgeon, mdt_case):
    bundle = _api(breast_surgeon).get(reverse("api-case-fhir", args=[mdt_case.pk])).json()
    Bundle.model_validate(bundle)
    ids = {entry["resource"]["id"] for entry in bundle["entry"]
           if entry["resource"]["resourceType"] == "Task"}
    assert {f"ft-{t.pk}" for t in tasks.values()} <= ids


def test_the_capability_statement_describes_both_kinds(tasks, breast_surgeon):
    statement = _api(breast_surgeon).get("/api/v1/fhir/metadata").json()
    task = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Task")
    assert "ft-" in task["documentation"]
    owner = next(p for p in task["searchParam"] if p["name"] == "owner")
    assert "Practitioner" in owner["documentation"]
