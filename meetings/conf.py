"""The meetings app's settings, read in one place.

``MDT_QUORUM_ROLES``: the roles that must be present for an MDT decision to be finalized without
the chair's recorded reason (issue 6: breast oncosurgeon, neurosurgeon, radiation oncologist).
tumorboard/settings/workflow.py reads it from the environment (a comma-separated list of roles).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_QUORUM_ROLES: tuple[str, ...] = ("breast_oncosurgeon", "neurosurgeon",
                                         "radiation_oncologist")


#: Specialties a service may add to ``MDT_QUORUM_ROLES`` (issue 19, S2 §6.2): palliative care and
#: physiotherapy attend as optional specialties; they are not in the default quorum.
OPTIONAL_SPECIALTY_ROLES: tuple[str, ...] = ("palliative_care_physician", "physiotherapist")


def quorum_roles() -> tuple[str, ...]:
    return tuple(getattr(settings, "MDT_QUORUM_ROLES", DEFAULT_QUORUM_ROLES))
