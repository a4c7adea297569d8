"""Every admin page showing patient data writes an audit row naming the administrator and the
cases shown: list and change pages of patients, cases, lesions, imaging, follow-ups,
assessments, phase events, referrals, alerts, meetings and packets, and the history pages
(issue 15, point 6). Driven through the test client as a superuser, DEBUG off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Assessment,
    AuditAction,
    AuditEvent,
    FollowUpVisit,
    LesionImaging,
    PhaseEvent,
    SpinalLesion,
)
from meetings.models import Packet
from referrals.models import Alert

pytestmark = pytest.mark.django_db


def _objects(world: Any, coordinator: Any) -> dict[str, Callable[[], Any]]:
    """Model name -> one row of it belonging to the world's case."""
    case = world.case

    def packet() -> Packet:
        return Packet.objects.create(meeting=world.meeting, kind="packet", audience=coordinator,
                                     requested_at=timezone.now(), case_ids=[case.pk])

    def followup() -> FollowUpVisit:
        row = FollowUpVisit.objects.filter(case=case).first()
        if row is None:
            pytest.skip("no follow-up visit factory in this world")
        return row

    return {
        "cases.patient": lambda: case.patient,
        "cases.case": lambda: case,
        "cases.spinallesion": lambda: SpinalLesion.objects.filter(case=case).first(),
        "cases.lesionimaging": lambda: LesionImaging.objects.filter(lesion__case=case).first(),
        "cases.assessment": lambda: Assessment.objects.filter(case=case).first(),
        "cases.phaseevent": lambda: PhaseEvent.objects.filter(case=case).first(),
        "referrals.referral": lambda: world.referral,
        "referrals.alert": lambda: Alert.objects.filter(referral=world.referral).first(),
        "meetings.meeting": lambda: world.meeting,
        "meetings.packet": packet,
    }


MODELS = ["cases.patient", "cases.case", "cases.spinallesion", "cases.lesionimaging",
          "cases.assessment", "cases.phaseevent", "referrals.referral", "referrals.alert",
          "meetings.meeting", "meetings.packet"]


def _new_rows(since: int) -> list[AuditEvent]:
    # By id: a read's row is linked to the chain (its seq) out of the request.
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def _head() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("model", MODELS)
def test_an_admin_read_of_patient_data_is_audited(
    model: str, world_a: Any, coordinator: Any, admin_person: Any, client: Any
) -> None:
    assert settings.DEBUG is False
    obj = _objects(world_a, coordinator)[model]()
    assert obj is not None, f"the world has no {model}"
    app, name = model.split(".")
    client.force_login(admin_person)
    case = world_a.case

    before = _head()
    page = client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert page.status_code == 200
    rows = _new_rows(before)
    listed = [row for row in rows if row.object_type == f"admin_{name}"]
    assert len(listed) == 1, [(r.action, r.object_type) for r in rows]
    assert listed[0].action == AuditAction.LIST and listed[0].actor_id == admin_person.pk
    assert obj.pk in listed[0].detail["ids"]
    if name != "patient":
        assert case.pk in listed[0].case_ids

    before = _head()
    page = client.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk]))
    assert page.status_code == 200
    rows = [row for row in _new_rows(before) if row.object_type == f"admin_{name}"]
    assert len(rows) == 1
    viewed = rows[0]
    assert viewed.action == AuditAction.VIEW and viewed.actor_id == admin_person.pk
    assert viewed.object_id == obj.pk and viewed.path.startswith("/admin/")
    if name == "patient":
        assert viewed.patient_id == case.patient_id
    elif name == "meeting" or name == "packet":
        assert viewed.case_id == case.pk or case.pk in (viewed.case_ids or [])
    else:
        assert (viewed.case_id, viewed.patient_id) == (case.pk, case.patient_id)


@pytest.mark.parametrize("model", ["cases.patient", "cases.case"])
def test_an_admin_read_of_the_history_of_patient_data_is_audited(
    model: str, world_a: Any, coordinator: Any, admin_person: Any, client: Any
) -> None:
    obj = _objects(world_a, coordinator)[model]()
    app, name = model.split(".")
    client.force_login(admin_person)
    before = _head()
    assert client.get(reverse(f"admin:{app}_{name}_history", args=[obj.pk])).status_code == 200
    history = obj.history.order_by("history_id").first()
    assert client.get(reverse(f"admin:{app}_{name}_simple_history",
                              args=[obj.pk, history.history_id])).status_code == 200
    rows = [row for row in _new_rows(before) if row.object_type == f"admin_{name}_history"]
    assert len(rows) == 2 and all(row.object_id == obj.pk for row in rows)

