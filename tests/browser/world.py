"""The data each journey starts from, built through the services (so permissions, events and the
audit trail are real). Each journey builds only what comes before its own step, so each can fail
on its own point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.factories import PatientFactory, TeamFactory, UserFactory, add_member, create_case
from tumorboard.models import Team, User
from tumorboard.roles import Role


@dataclass
class World:
    breast: User
    neuro: User
    coordinator: User
    oncologist: User
    outsider: User
    teams: dict[str, Team]


def people() -> World:
    breast_team = TeamFactory(name="Riverside Breast Service", kind=Team.Kind.BREAST)
    spine_team = TeamFactory(name="Riverside Spine Service", kind=Team.Kind.SPINE)
    mdt_team = TeamFactory(name="Spine Metastasis MDT", kind=Team.Kind.MDT)
    other = TeamFactory(name="Hillside Breast Service", kind=Team.Kind.BREAST)
    breast = UserFactory(username="alice", first_name="Alice", last_name="Marsh",
                         role=Role.BREAST_ONCOSURGEON)
    neuro = UserFactory(username="bob", first_name="Bob", last_name="Wilk", role=Role.NEUROSURGEON)
    coordinator = UserFactory(username="carol", first_name="Carol", last_name="Forde",
                              role=Role.COORDINATOR)
    oncologist = UserFactory(username="olga", first_name="Olga", last_name="Berg",
                             role=Role.RADIATION_ONCOLOGIST)
    outsider = UserFactory(username="mallory", first_name="Mallory", last_name="Stone",
                           role=Role.BREAST_ONCOSURGEON)
    add_member(breast_team, breast, lead=True)
    add_member(spine_team, neuro, lead=True)
    for person in (breast, neuro, coordinator, oncologist):
        add_member(mdt_team, person, lead=person is coordinator)
    add_member(other, outsider, lead=True)
    return World(breast, neuro, coordinator, oncologist, outsider,
                 {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team})


def open_case(world: World, *, family_name: str, mrn: str, **fields: Any) -> Any:
    """A scorable case of the breast and spine teams, no lesion yet."""
    patient = PatientFactory(institution=world.breast.institution, family_name=family_name,
                             given_name="Jane", mrn=mrn)
    return create_case(actor=world.breast, patient=patient, **world.teams, **fields)


def refer(world: World, case: Any, *, levels: list[str] | None = None, **study: Any) -> Any:
    """Record a SINS 9 lesion (CLINICAL.md §8: SINS 7 or more raises the referral); assess."""
    from cases import services
    from tests.factories import add_lesion

    add_lesion(case, actor=world.breast, levels=levels, **study)
    services.assessment_create(case=case, actor=world.breast)
    case.refresh_from_db()
    return case.referrals.get(direction="breast_to_neuro")


def accept(world: World, referral: Any) -> None:
    from referrals import services

    services.referral_acknowledge(referral=referral, actor=world.neuro)
    services.referral_accept(referral=referral, actor=world.neuro)


def meeting(world: World, *, days: int = 3) -> Any:
    from meetings import services

    return services.meeting_create(
        mdt_team=world.teams["mdt_team"], starts_at=timezone.now() + dt.timedelta(days=days),
        chair=world.neuro, coordinator=world.coordinator, actor=world.coordinator,
        title="Spine metastasis MDT", place="Seminar room 2",
        attendees=[world.breast, world.neuro, world.oncologist])
