"""The roles people hold in the service, what each may be, and where each one lands after login."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class Role(models.TextChoices):
    BREAST_ONCOSURGEON = "breast_oncosurgeon", "Breast oncosurgeon"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    COORDINATOR = "coordinator", "MDT coordinator"
    RADIATION_ONCOLOGIST = "radiation_oncologist", "Radiation oncologist"
    MEDICAL_ONCOLOGIST = "medical_oncologist", "Medical oncologist"
    # Palliative care and rehabilitation (S2 §6.2, §7, Table 3; issue 19): they join a case's
    # care team, not a board's quorum unless the service configures it (meetings.conf).
    PALLIATIVE_CARE_PHYSICIAN = "palliative_care_physician", "Palliative care physician"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    ADMIN = "admin", "Administrator"
    # Another hospital system: reads through the API only, the cases of the teams it is granted
    # (integrations.IntegrationGrant).
    INTEGRATION = "integration", "Integration client (API)"


#: The four clinical roles (DESIGN.md, access model): only an active person of one of these
#: chairs a meeting, counts for quorum, presents a case, owns a decision or a task.
CLINICAL_ROLES = (
    Role.BREAST_ONCOSURGEON,
    Role.NEUROSURGEON,
    Role.RADIATION_ONCOLOGIST,
    Role.MEDICAL_ONCOLOGIST,
)
#: The specialties that join a case's care team by being added to it (issue 19): they see and
#: record on the cases of their care team (cases.access), own their duties, never chair.
SPECIALIST_ROLES = (Role.PALLIATIVE_CARE_PHYSICIAN, Role.PHYSIOTHERAPIST)
#: People who work with patient data on the pages: the clinicians, the specialists and the MDT
#: coordinators. Administrators manage people and teams; integration clients use the API only.
CARE_ROLES = (*CLINICAL_ROLES, *SPECIALIST_ROLES, Role.COORDINATOR)


def is_clinician(user: User | AnonymousUser | None) -> bool:
    """An active person of a clinical role: THE test wherever the service needs a clinician."""
    return (user is not None and user.is_authenticated and user.is_active
            and getattr(user, "role", "") in CLINICAL_ROLES)


def is_care_team_clinician(user: User | AnonymousUser | None) -> bool:
    """An active clinician or specialist (palliative care, physiotherapy): who may be in a
    case's care team and record on its cases (cases.access)."""
    return is_clinician(user) or (user is not None and user.is_authenticated and user.is_active
                                  and getattr(user, "role", "") in SPECIALIST_ROLES)


def may_see_patients(user: User | AnonymousUser | None) -> bool:
    """Whether any patient can be visible to ``user`` at all (the access rule narrows it to
    cases): active clinicians, coordinators and integration clients; never an administrator."""
    return (user is not None and user.is_authenticated and user.is_active
            and getattr(user, "role", "") in (*CARE_ROLES, Role.INTEGRATION))


# URL name of each role's home page.
HOME_URL_NAME = {
    Role.BREAST_ONCOSURGEON: "home-breast",
    Role.NEUROSURGEON: "home-neuro",
    Role.COORDINATOR: "home-coordinator",
    Role.RADIATION_ONCOLOGIST: "home-radonc",
    Role.MEDICAL_ONCOLOGIST: "home-oncology",
    Role.PALLIATIVE_CARE_PHYSICIAN: "home-specialist",
    Role.PHYSIOTHERAPIST: "home-specialist",
    Role.ADMIN: "home-admin",
    # No pages for a system: a web login lands on the API documentation.
    Role.INTEGRATION: "api-docs",
}
