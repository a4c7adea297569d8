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
