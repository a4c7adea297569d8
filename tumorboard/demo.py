"""Demo people: one institution, its teams and a login for every role.

Idempotent: every row is found by its natural key and brought back to the demo state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password

from .models import Institution, Team, TeamKind, TeamMembership, User
from .roles import Role

INSTITUTION = ("riverside", "Riverside University Hospital")

# username, first name, last name, role, teams (the first team listed has this user as its lead)
PEOPLE: list[tuple[str, str, str, Role, list[str]]] = [
    ("breast1", "Helen", "Marsh", Role.BREAST_ONCOSURGEON, ["Riverside Breast Service"]),
    ("breast2", "Priya", "Raman", Role.BREAST_ONCOSURGEON, ["Northfield Breast Service"]),
    ("neuro1", "Tomasz", "Wilk", Role.NEUROSURGEON, ["Riverside Spine Service"]),
    ("neuro2", "Amara", "Okafor", Role.NEUROSURGEON, ["Northfield Spine Service"]),
    ("radonc1", "Lena", "Berg", Role.RADIATION_ONCOLOGIST,
     ["Spine Metastasis MDT", "Riverside Radiation Oncology"]),
    ("radonc2", "Marco", "Bellini", Role.RADIATION_ONCOLOGIST,
     ["Spine Metastasis MDT", "Riverside Radiation Oncology"]),
    ("medonc1", "Sofia", "Lindqvist", Role.MEDICAL_ONCOLOGIST, ["Spine Metastasis MDT"]),
    ("medonc2", "David", "Achterberg", Role.MEDICAL_ONCOLOGIST, ["Spine Metastasis MDT"]),
    ("coordinator", "Nadia", "Forde", Role.COORDINATOR, ["Spine Metastasis MDT"]),
    # Palliative care and rehabilitation (issue 19): in no team; added to cases' care teams.
    ("palliative1", "Ruth", "Calloway", Role.PALLIATIVE_CARE_PHYSICIAN, []),
    ("physio1", "Jonas", "Eklund", Role.PHYSIOTHERAPIST, []),
    ("admin", "Sam", "Admin", Role.ADMIN, []),
]

TEAMS: list[tuple[str, TeamKind, str]] = [
    # name, kind, lead
    ("Riverside Breast Service", Team.Kind.BREAST, "breast1"),
    ("Northfield Breast Service", Team.Kind.BREAST, "breast2"),
    ("Riverside Spine Service", Team.Kind.SPINE, "neuro1"),
    ("Northfield Spine Service", Team.Kind.SPINE, "neuro2"),
    ("Spine Metastasis MDT", Team.Kind.MDT, "coordinator"),
    # Receives the radiotherapy referrals (CLINICAL.md §15-§16).
    ("Riverside Radiation Oncology", Team.Kind.RADIATION, "radonc1"),
]


@dataclass
class DemoPeople:
    institution: Institution
    users: dict[str, User]
    teams: dict[str, Team]


def seed_people() -> DemoPeople:
    code, name = INSTITUTION
    institution, _ = Institution.objects.update_or_create(code=code, defaults={"name": name})
    teams = {
        team_name: Team.objects.update_or_create(
            institution=institution, name=team_name, defaults={"kind": kind}
        )[0]
        for team_name, kind, _lead in TEAMS
    }
    leads = {team_name: lead for team_name, _kind, lead in TEAMS}
    users: dict[str, User] = {}
    for username, first, last, role, team_names in PEOPLE:
        is_admin = role == Role.ADMIN
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "institution": institution,
                "email": f"{username}@riverside.example",
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        # Hashing is slow on purpose: only re-hash when the demo password changed.
        if not check_password(settings.DEMO_PASSWORD, user.password):
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for team_name in team_names:
            TeamMembership.objects.update_or_create(
                team=teams[team_name],
                user=user,
                defaults={"is_lead": leads[team_name] == username},
            )
        users[username] = user
    return DemoPeople(institution=institution, users=users, teams=teams)
