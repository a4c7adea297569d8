"""The escalation pass in batches (issue 10): many due referrals across several teams and two
institutions, each escalated once per step to the same people as one at a time, in a number of
queries that does not grow with the number of due referrals."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from cases import audit
from cases.audit import audit_chain_verify
from cases.models import AuditAction, AuditChain, AuditEvent
from referrals import services, tasks
from referrals.models import Alert, Referral, ReferralEvent
from tests.factories import (
    InstitutionFactory,
    TeamFactory,
    UserFactory,
    add_lesion,
    add_member,
    create_case,
)
from tumorboard.models import Team, User
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class Group:
    """One patient group: a breast team, a spine team and the MDT its cases name (or none)."""

    breast_surgeon: User
    breast_team: Team
    spine_team: Team
    mdt_team: Team | None
    new: list[str]  # who a new referral alerts: the spine team's non-lead neurosurgeon
    step_1: list[str]  # who the rest of the spine team is, for step 1
    step_2: list[str]  # the spine lead and the MDT coordinators, for step 2


def _group(index: int, institution, mdt_team: Team | None, coordinators: list[str]) -> Group:
    breast_team = TeamFactory(name=f"Breast {index}", kind=Team.Kind.BREAST,
                              institution=institution)
    spine_team = TeamFactory(name=f"Spine {index}", kind=Team.Kind.SPINE,
                             institution=institution)
    breast = UserFactory(username=f"breast{index}", role=Role.BREAST_ONCOSURGEON,
                         institution=institution)
    add_member(breast_team, breast, lead=True)
    for name, role, lead, active in [
        (f"lead{index}", Role.NEUROSURGEON, True, True),      # step 2
        (f"neuro{index}", Role.NEUROSURGEON, False, True),    # the new referral's alert
        (f"rad{index}", Role.RADIATION_ONCOLOGIST, False, True),  # step 1
        (f"gone{index}", Role.NEUROSURGEON, False, False),    # inactive: never alerted
    ]:
        add_member(spine_team, UserFactory(username=name, role=role, institution=institution,
                                           is_active=active), lead=lead)
    return Group(breast, breast_team, spine_team, mdt_team, new=[f"neuro{index}"],
                 step_1=[f"rad{index}"],
                 step_2=sorted([f"lead{index}", *coordinators]))


@pytest.fixture
def groups(db) -> list[Group]:
    """Three spine teams: two in the test hospital whose cases name its MDT team, one in a
    second hospital whose cases name none (step 2 falls back to that hospital's MDT teams)."""
    home = InstitutionFactory()
    north = InstitutionFactory(code="north", name="North Hospital")
    mdt = TeamFactory(name="MDT", kind=Team.Kind.MDT, institution=home)
    north_mdt = TeamFactory(name="North MDT", kind=Team.Kind.MDT, institution=north)
    for team, name, active in [(mdt, "carol", True), (north_mdt, "nina", True),
                               (north_mdt, "olive", False)]:
        add_member(team, UserFactory(username=name, role=Role.COORDINATOR,
                                     institution=team.institution, is_active=active))
    return [_group(0, home, mdt, ["carol"]), _group(1, home, mdt, ["carol"]),
            _group(2, north, None, ["nina"])]


def _raise(groups: list[Group], n: int) -> list[tuple[Referral, Group]]:
    """``n`` cases across the groups, each with the green referral its lesion raised."""
    made = []
    for i in range(n):
        group = groups[i % len(groups)]
        case = create_case(actor=group.breast_surgeon, breast_team=group.breast_team,
                           spine_team=group.spine_team, mdt_team=group.mdt_team)
        add_lesion(case, actor=group.breast_surgeon)
        made.append((Referral.objects.get(case=case), group))
    return made


def _names(referral: Referral, kind: str) -> list[str]:
    return sorted(Alert.objects.filter(referral=referral, kind=kind)
                  .values_list("recipient__username", flat=True))


def _ack_deadline(made: list[tuple[Referral, Group]]) -> dt.datetime:
    return max(referral.escalation_due_at for referral, _ in made) + dt.timedelta(seconds=1)


def test_a_batch_across_teams_alerts_the_same_people_once_per_step(groups, settings) -> None:
    made = _raise(groups, 9)
    for referral, group in made:
        assert _names(referral, "new_referral") == group.new
    first = _ack_deadline(made)
    with time_machine.travel(first, tick=False):
        assert services.escalate_due() == 9
        assert services.escalate_due() == 0  # a second beat: nothing more
    step_1, step_2 = services.escalation_minutes("green")
    second = first + dt.timedelta(minutes=step_2 - step_1 + 1)
    with time_machine.travel(second, tick=False):
        assert services.escalate_due() == 9
        assert services.escalate_due() == 0
    with time_machine.travel(second + dt.timedelta(days=30), tick=False):
        assert services.escalate_due() == 0  # two steps, no third
    for referral, group in made:
        assert _names(referral, "escalation_team") == group.step_1
        assert _names(referral, "escalation_lead") == group.step_2
        events = list(ReferralEvent.objects.filter(referral=referral, action="escalate")
                      .order_by("pk"))
        assert [(e.detail["level"], e.detail["alerts"], e.from_status, e.to_status, e.actor_id)
                for e in events] == [(1, 1, "sent", "sent", None), (2, 2, "sent", "sent", None)]
        assert events[0].detail["due_at"] == referral.due_at.isoformat()
        referral.refresh_from_db()
        assert (referral.escalation_level, referral.escalation_due_at) == (2, None)
    audited = Counter(
        (row.object_id, row.detail["escalation_level"])
        for row in AuditEvent.objects.filter(object_type="referral", actor=None,
                                             detail__has_key="escalation_level"))
    assert audited == Counter({(r.pk, level): 1 for r, _ in made for level in (1, 2)})
    assert all(row.case_id == r.case_id and row.patient_id == r.case.patient_id
               for r, _ in made for row in AuditEvent.objects.filter(
                   object_type="referral", object_id=r.pk, detail__has_key="escalation_level"))
    report = audit_chain_verify()
    assert report.intact, report.problems


def test_batches_smaller_than_the_pass_and_the_limit_add_up(groups, monkeypatch) -> None:
    monkeypatch.setattr(services.escalation, "ESCALATION_BATCH", 4)
    made = _raise(groups, 11)
    with time_machine.travel(_ack_deadline(made), tick=False):
        assert services.escalate_due(limit=6) == 6  # batches of 4 and 2, as the limit says
        assert services.escalate_due(limit=6) == 5
        assert services.escalate_due() == 0
    steps = Counter(ReferralEvent.objects.filter(action="escalate")
                    .values_list("referral_id", flat=True))
    assert steps == Counter({referral.pk: 1 for referral, _ in made})
    assert audit_chain_verify().intact


#: Queries of one pass with both steps in its batch (measured: 19 on SQLite and PostgreSQL,
#: plus the one UPDATE that moves the cases' updated_at for polling clients; one at a time it
#: was about 12 per referral).
PASS_MAX_QUERIES = 20


@pytest.mark.parametrize("n", [3, 30])
def test_the_pass_runs_a_constant_number_of_queries(
    n, groups, django_assert_max_num_queries
) -> None:
    made = _raise(groups, n)
    now = _ack_deadline(made)
    # A third of them took step 1 earlier and are due for step 2: the batch mixes both steps.
    Referral.objects.filter(pk__in=[r.pk for r, _ in made[: n // 3]]).update(
        escalation_level=1, escalation_due_at=now - dt.timedelta(minutes=1))
    with time_machine.travel(now, tick=False), \
            django_assert_max_num_queries(PASS_MAX_QUERIES):
        assert services.escalate_due() == n
    assert ReferralEvent.objects.filter(action="escalate").count() == n
    assert Alert.objects.filter(kind="escalation_lead").count() == 2 * (n // 3)
    assert Alert.objects.filter(kind="escalation_team").count() == n - n // 3


def test_a_batch_publishes_few_tasks_and_their_run_sends_each_email_once(
    groups, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    made = _raise(groups, 6)
    published: list[list[int]] = []
    monkeypatch.setattr("referrals.tasks.deliver_alerts.delay", published.append)
    with time_machine.travel(_ack_deadline(made), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_due() == 6
    ids = sorted(Alert.objects.filter(kind="escalation_team").values_list("pk", flat=True))
    assert [sorted(batch) for batch in published] == [ids]  # one task for the batch
    monkeypatch.setattr(services.escalation, "ALERTS_PER_TASK", 4)
    services.escalation.enqueue_alert_batch(ids)
    assert [len(batch) for batch in published[1:]] == [4, 2]
    mail.outbox.clear()
    assert tasks.deliver_alerts(published[0]) == 6
    assert tasks.deliver_alerts(published[0]) == 0  # a redelivered batch sends nothing again
    assert len(mail.outbox) == 6
    assert not Alert.objects.filter(pk__in=ids, sent_at=None).exists()


def test_a_failing_alert_of_a_batch_goes_to_its_own_task_and_the_rest_is_sent(
    groups, monkeypatch
) -> None:
    made = _raise(groups, 3)
    with time_machine.travel(_ack_deadline(made), tick=False):
        services.escalate_due()
    ids = sorted(Alert.objects.filter(kind="escalation_team").values_list("pk", flat=True))
    broken = Alert.objects.get(pk=ids[1]).recipient.email
    real_send = mail.EmailMessage.send

    def send(message, fail_silently=False):
        if broken in message.to:
            raise OSError("smtp refused")
        return real_send(message, fail_silently)

    retried: list[int] = []
    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)
    monkeypatch.setattr("referrals.tasks.deliver_alert.delay", retried.append)
    mail.outbox.clear()
    assert tasks.deliver_alerts(ids) == 2
    assert retried == [ids[1]]
    assert list(Alert.objects.filter(pk__in=ids, sent_at=None).values_list("pk", flat=True)) \
        == [ids[1]]


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_take_each_step_once(groups, monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    monkeypatch.setattr(services.escalation, "ESCALATION_BATCH", 5)
    monkeypatch.setattr(services.escalation, "enqueue_alert_batch", lambda ids: None)
    made = _raise(groups, 30)
    now = _ack_deadline(made)
    barrier = threading.Barrier(2)
    taken: list[int] = []

    def beat() -> None:
        barrier.wait()
        try:
            taken.append(services.escalate_due(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(taken) == 30
    steps = Counter(ReferralEvent.objects.filter(action="escalate")
                    .values_list("referral_id", flat=True))
    assert steps == Counter({referral.pk: 1 for referral, _ in made})
    keys = Counter(Alert.objects.values_list("referral_id", "recipient_id", "kind", "step"))
    assert set(keys.values()) == {1}
    assert audit_chain_verify().intact


# --- cases.audit.record_many, the audit rows of a batch ----------------------------------------


def _rows(care_case, n: int) -> list[AuditEvent]:
    return [audit.entry(actor=None, action=AuditAction.UPDATE, case=care_case,
                        object_type="referral", object_id=i, detail={"escalation_level": 1})
            for i in range(n)]


def test_many_audit_rows_take_three_queries_and_continue_a_missing_head(
    care_case, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert audit.record_many([]) == []
    with django_assert_num_queries(3):  # lock the head, move it, one INSERT
        audit.record_many(_rows(care_case, 25))
    with connection.cursor() as cursor:  # a flushed test database, a restore without the head
        cursor.execute(f"DELETE FROM {AuditChain._meta.db_table}")  # noqa: S608
    audit.record_many(_rows(care_case, 3))
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
    assert AuditChain.objects.get(pk=1).length == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_batches_and_single_audit_rows_written_at_once_keep_one_chain(
    care_case, breast_surgeon
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite serialises every write)")
    before = AuditEvent.objects.count()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def batches() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                audit.record_many(_rows(care_case, 7))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def singles() -> None:
        try:
            barrier.wait()
            for _ in range(20):
                audit.record_case_read(actor=breast_surgeon, case=care_case)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=target) for target in (batches, batches, singles, singles)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors
    assert AuditEvent.objects.count() == before + 2 * 10 * 7 + 2 * 20
    report = audit.audit_chain_verify()
    assert report.intact, report.problems
