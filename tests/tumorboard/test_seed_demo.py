import pytest
from django.core.management import call_command
from django.test import Client

from cases.models import Patient
from tumorboard.demo import PEOPLE
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import CLINICAL_ROLES, Role

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (User.objects.count(), Team.objects.count(), TeamMembership.objects.count(),
            Patient.objects.count())


def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first
    assert first[0] == len(PEOPLE) + 1  # the logins and the demo hospital system (API only)


def test_seed_demo_has_two_of_each_clinical_role_in_two_teams_and_a_coordinator() -> None:
    call_command("seed_demo", verbosity=0)
    for role in CLINICAL_ROLES:
        people = User.objects.filter(role=role)
        assert people.count() == 2, role
    for role in (Role.BREAST_ONCOSURGEON, Role.NEUROSURGEON):
        teams = Team.objects.filter(members__role=role).distinct()
        assert teams.count() == 2, role
    assert User.objects.filter(role=Role.COORDINATOR).count() == 1
    assert Patient.objects.filter(mrn__startswith="DEMO-").count() >= 8


def test_every_demo_login_works(client: Client, settings) -> None:
    call_command("seed_demo", verbosity=0)
    for username, *_ in PEOPLE:
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        client.logout()


def case_counts() -> tuple[int, ...]:
    from cases.models import (
        Assessment,
        AuditEvent,
        Case,
        DutyTick,
        FollowUpVisit,
        LesionImaging,
        PhaseEvent,
        SpinalLesion,
    )

    return tuple(model.objects.count() for model in (
        Case, SpinalLesion, LesionImaging, Assessment, PhaseEvent, DutyTick, FollowUpVisit,
        AuditEvent))


def test_seed_demo_cases_are_idempotent_and_cover_every_phase() -> None:
    from cases.access import case_list_visible_to
    from cases.evaluation import lesion_progression
    from cases.models import Case, SpinalLesion
    from cases.timeline import Phase

    call_command("seed_demo", verbosity=0)
    first = case_counts()
    call_command("seed_demo", verbosity=0)
    assert case_counts() == first
    assert first[0] == 8
    assert set(Case.objects.values_list("phase", flat=True)) == set(Phase.values)
    # The operation is on record once a demo case is past surgery (issue 19), once.
    from cases.models import SurgeryRecord

    operated = SurgeryRecord.objects.select_related("case").get()
    assert operated.case.phase in (Phase.POST_OPERATIVE, Phase.SURVEILLANCE)
    assert operated.levels and operated.recorded_by.role == "neurosurgeon"
    assert any(
        lesion_progression(list(lesion.imagings.all()))[0]
        for lesion in SpinalLesion.objects.prefetch_related("imagings")
    )
    riverside = Case.objects.filter(breast_team__name="Riverside Breast Service")
    seen = case_list_visible_to(user=User.objects.get(username="breast2"))
    assert not seen.filter(pk__in=riverside).exists(), "breast2"
    # neuro2 attends the demo MDT: the Riverside cases on its agendas, and only those (issue 15).
    from meetings.models import AgendaItem

    on_agenda = set(AgendaItem.objects.filter(case__in=riverside).values_list("case_id",
                                                                               flat=True))
    seen = case_list_visible_to(user=User.objects.get(username="neuro2"))
    assert on_agenda and set(seen.filter(pk__in=riverside).values_list("pk", flat=True)) == \
        on_agenda
    assert riverside.exclude(pk__in=on_agenda).exists()
    breast1 = User.objects.get(username="breast1")
    attended = set(AgendaItem.objects.filter(meeting__attendances__user=breast1)
                   .values_list("case_id", flat=True))
    assert set(case_list_visible_to(user=breast1).values_list("pk", flat=True)) == \
        set(riverside.values_list("pk", flat=True)) | attended
    assert Case.objects.filter(followups__isnull=False).distinct().count() >= 2
