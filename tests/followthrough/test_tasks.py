"""Tasks of a finalized meeting (CLINICAL.md §15): created once, owned, alerted, audited; done
or not done; the case moves on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import AuditEvent, CareTeamMember, Case
from followthrough import receivers, services
from followthrough.models import FollowThroughTask
from meetings.models import Decision
from meetings.signals import decisions_finalized
from referrals.models import Alert
from tests.factories import UserFactory
from tests.followthrough.conftest import decide_and_finalize
from tumorboard.errors import Conflict
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


def _tasks(case):
    return {t.kind: t for t in FollowThroughTask.objects.filter(case=case)}


def test_the_receiver_is_connected_once():
    uids = [key[0] for key in decisions_finalized.receivers]
    receivers.connect()
    assert any(receivers.DECISIONS_FINALIZED_UID in str(uid) for uid in uids + [
        key[0] for key in decisions_finalized.receivers])
    assert len(decisions_finalized.receivers) == len(uids)


def test_finalizing_creates_the_tasks_of_the_decision_with_owners(
        session, coordinator, neurosurgeon, breast_surgeon, mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt",
                        urgency="orange")
    tasks = _tasks(mdt_case)
    assert set(tasks) == {"radiotherapy_started", "systemic_resumed", "restaging_mri"}
    decision = Decision.objects.get(item__case=mdt_case)
    assert tasks["radiotherapy_started"].due_at == decision.decided_at + dt.timedelta(hours=72)
    # No radiation oncologist on the care team: the coordinators' queue, never lost.
    assert tasks["radiotherapy_started"].owner is None
    # No medical oncologist: the breast oncosurgeon (§15).
    assert tasks["systemic_resumed"].owner == breast_surgeon
    assert tasks["restaging_mri"].owner == neurosurgeon  # the responsible clinician
    assert all(t.status == "open" and t.decision_id == decision.pk for t in tasks.values())
    alerts = set(Alert.objects.filter(case=mdt_case, kind__startswith="task_")
                 .values_list("recipient__username", "kind", "step"))
    assert alerts == {
        ("alice", "task_assigned", tasks["systemic_resumed"].pk),
        ("bob", "task_assigned", tasks["restaging_mri"].pk),
        ("carol", "task_unassigned", tasks["radiotherapy_started"].pk),
    }
    audited = AuditEvent.objects.filter(object_type__icontains="followthroughtask",
                                        action="create")
    assert audited.count() == 3
    assert CareTeamMember.objects.filter(case=mdt_case, user=breast_surgeon).exists()


def test_the_decision_moves_the_case_to_its_next_phase(session, coordinator, neurosurgeon,
                                                       mdt_case):
    Case.objects.filter(pk=mdt_case.pk).update(phase="mdt_tumor_board")
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon,
                        pathway="separation_surgery_srs", urgency="red")
    mdt_case.refresh_from_db()
    assert mdt_case.phase == "pre_operative"
    assert mdt_case.current_event.reason.startswith(f"MDT decision of meeting {session.pk}")


def test_creating_again_creates_nothing_and_alerts_nobody(session, coordinator, neurosurgeon,
                                                          mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    before = (FollowThroughTask.objects.count(), Alert.objects.count(),
              AuditEvent.objects.count())
    session.refresh_from_db()
    assert services.tasks_for_meeting(meeting=session) == []
    decisions_finalized.send(sender=type(session), meeting=session)  # a retried receiver
    assert (FollowThroughTask.objects.count(), Alert.objects.count(),
            AuditEvent.objects.count()) == before


def test_a_medical_oncologist_on_the_care_team_owns_systemic_therapy(
        session, coordinator, neurosurgeon, mdt_case, spine_team):
    medonc = UserFactory(username="mona", role=Role.MEDICAL_ONCOLOGIST)
    mdt_case.oncologists.add(medonc)
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    assert _tasks(mdt_case)["systemic_resumed"].owner == medonc


@pytest.fixture
def finalized(session, coordinator, neurosurgeon, mdt_case):
    decide_and_finalize(session, actor=coordinator, responsible=neurosurgeon, pathway="cebrt")
    return _tasks(mdt_case)


def test_the_owner_marks_a_task_done_with_the_date_and_who(finalized, neurosurgeon, mdt_case):
    task = finalized["restaging_mri"]
    before = Case.objects.get(pk=mdt_case.pk).updated_at
    done = services.task_done(task=task, actor=neurosurgeon)
    assert done.status == "done" and done.done_by == neurosurgeon
    assert timezone.localdate(done.done_at) == timezone.localdate()
    assert Case.objects.get(pk=mdt_case.pk).updated_at > before  # polling sees it
    assert AuditEvent.objects.filter(object_id=task.pk, action="update",
                                     object_type__icontains="followthroughtask").exists()
    with pytest.raises(Conflict):
        services.task_done(task=task, actor=neurosurgeon)


def test_done_cannot_be_dated_in_the_future(finalized, neurosurgeon):
    with pytest.raises(ValidationError) as error:
        services.task_done(task=finalized["restaging_mri"], actor=neurosurgeon,
                           done_on=timezone.localdate() + dt.timedelta(days=1))
    assert "done_on" in error.value.message_dict
    assert FollowThroughTask.objects.get(pk=finalized["restaging_mri"].pk).status == "open"


def test_not_done_needs_a_reason(finalized, breast_surgeon):
    task = finalized["systemic_resumed"]
    with pytest.raises(ValidationError) as error:
        services.task_not_done(task=task, actor=breast_surgeon, reason="  ")
    assert "not_done_reason" in error.value.message_dict
    closed = services.task_not_done(task=task, actor=breast_surgeon, reason="Patient declined.")
    assert closed.status == "not_done" and closed.not_done_reason == "Patient declined."
    assert closed.done_by == breast_surgeon and closed.done_at is not None


def test_an_outsider_cannot_close_a_task(finalized, outsider):
    with pytest.raises(PermissionDenied):
        services.task_done(task=finalized["restaging_mri"], actor=outsider)


def test_the_coordinator_assigns_an_unassigned_task(finalized, coordinator, oncologist):
    task = finalized["radiotherapy_started"]
    assigned = services.task_assign(task=task, actor=coordinator, owner=oncologist)
    assert assigned.owner == oncologist
    assert CareTeamMember.objects.filter(case=task.case, user=oncologist).exists()
    assert Alert.objects.filter(recipient=oncologist, kind="task_assigned", step=task.pk).exists()
    with pytest.raises(ValidationError):
        services.task_assign(task=task, actor=coordinator, owner=coordinator)


def test_the_database_refuses_an_inconsistent_closure(finalized):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowThroughTask.objects.filter(pk=finalized["restaging_mri"].pk).update(
            status="not_done")
    with pytest.raises(IntegrityError), transaction.atomic():
        task = finalized["restaging_mri"]
        FollowThroughTask.objects.create(case=task.case, decision=task.decision,
                                         kind=task.kind, due_at=task.due_at,
                                         policy_version="x")


