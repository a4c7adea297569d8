"""factory_boy factories for the domain."""

from __future__ import annotations

import datetime as dt

import factory

from cases.models import Patient
from tumorboard.models import Institution, Team, TeamMembership, User
from tumorboard.roles import Role


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("code",)

    code = "test-hospital"
    name = "Test Hospital"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Clinician{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.example")
    role = Role.BREAST_ONCOSURGEON
    institution = factory.SubFactory(InstitutionFactory)
    password = factory.django.Password("correct-horse-battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.BREAST


def add_member(team: Team, user: User, *, lead: bool = False) -> TeamMembership:
    return TeamMembership.objects.create(team=team, user=user, is_lead=lead)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    institution = factory.SubFactory(InstitutionFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Jane"
    family_name = factory.Sequence(lambda n: f"Synthetic{n}")
    birth_date = dt.date(1970, 1, 1)
    sex = Patient.Sex.FEMALE


# --- cases: built through the services, so permissions, events and audit rows are real -------

SCORABLE_CASE: dict[str, object] = {
    "primary_status": "known_breast",
    "er": True,
    "pr": True,
    "her2": False,
    "ki67": 10.0,
    "kps": 80,
    "frankel": "E",
    "extraspinal_bone_metastases": 1,
    "vertebral_metastases": 2,
    "visceral_metastases": "none",
}

STUDY: dict[str, object] = {
    "imaging_date": dt.date(2026, 1, 5),
    "pain": "mechanical",
    "bone_lesion": "lytic",
    "alignment": "normal",
    "collapse": "under_50",
    "posterolateral": "unilateral",
    "bilsky": "1b",
}


def create_case(*, actor: User, patient: Patient | None = None, **fields: object):
    """A case opened by ``actor`` through cases.services.case_create, scorable by default."""
    from cases import services

    patient = patient or PatientFactory(institution=actor.institution)
    return services.case_create(patient=patient, actor=actor, **{**SCORABLE_CASE, **fields})


def add_lesion(case, *, actor: User, levels: list[str] | None = None, **study: object):
    from cases import services

    return services.lesion_create(
        case=case, actor=actor, levels=levels or ["T7"], **{**STUDY, **study}
    )
