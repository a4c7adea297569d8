"""The roles people hold in the service, and where each one lands after login."""

from django.db import models


class Role(models.TextChoices):
    BREAST_ONCOSURGEON = "breast_oncosurgeon", "Breast oncosurgeon"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    COORDINATOR = "coordinator", "MDT coordinator"
    RADIATION_ONCOLOGIST = "radiation_oncologist", "Radiation oncologist"
    MEDICAL_ONCOLOGIST = "medical_oncologist", "Medical oncologist"
    ADMIN = "admin", "Administrator"


CLINICAL_ROLES = (
    Role.BREAST_ONCOSURGEON,
    Role.NEUROSURGEON,
    Role.RADIATION_ONCOLOGIST,
    Role.MEDICAL_ONCOLOGIST,
)

# URL name of each role's home page.
HOME_URL_NAME = {
    Role.BREAST_ONCOSURGEON: "home-breast",
    Role.NEUROSURGEON: "home-neuro",
    Role.COORDINATOR: "home-coordinator",
    Role.RADIATION_ONCOLOGIST: "home-oncology",
    Role.MEDICAL_ONCOLOGIST: "home-oncology",
    Role.ADMIN: "home-admin",
}
