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


# --- meetings -------------------------------------------------------------------------------


def make_mdt_case(*, breast_surgeon: User, neurosurgeon: User, teams: dict, levels=None,
                  assess: bool = True, accept: bool = True, study: dict | None = None,
                  **fields: object):
    """A case whose lesion raised a breast-to-neuro referral, assessed, and (``accept``) whose
    referral the neurosurgeon accepted: eligible for the MDT agenda."""
    from referrals import services as referral_services
    from referrals.models import Referral

    case = create_case(actor=breast_surgeon, **teams, **fields)
    add_lesion(case, actor=breast_surgeon, levels=levels, **(study or {}))
    if assess:
        from cases import services

        services.assessment_create(case=case, actor=breast_surgeon)
    referral = Referral.objects.filter(case=case, direction="breast_to_neuro").first()
    if accept and referral is not None:
        referral_services.referral_acknowledge(referral=referral, actor=neurosurgeon)
        referral_services.referral_accept(referral=referral, actor=neurosurgeon)
    case.refresh_from_db()
    return case


def on_its_day(meeting):
    """The meeting's day has come: its start moves to now (a meeting is started on its day, not
    before; meetings.services.meeting_start). No audit or event row: time passing, not an edit."""
    from django.utils import timezone

    from meetings.models import Meeting

    meeting.starts_at = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=meeting.starts_at)
    return meeting
