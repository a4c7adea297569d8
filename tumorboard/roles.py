"""The roles people hold in the service, and where each one lands after login."""

from django.db import models


class Role(models.TextChoices):
    BREAST_ONCOSURGEON = "breast_oncosurgeon", "Breast oncosurgeon"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    COORDINATOR = "coordinator", "MDT coordinator"
    RADIATION_ONCOLOGIST = "radiation_oncologist", "Radiation oncologist"
    MEDICAL_ONCOLOGIST = "medical_oncologist", "Medical oncologist"
    ADMIN = "admin", "Administrator"
    # Another hospital system: reads through the API only, the cases of the teams it is granted
    # (integrations.IntegrationGrant).
    INTEGRATION = "integration", "Integration client (API)"


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
    # No pages for a system: a web login lands on the API documentation.
    Role.INTEGRATION: "api-docs",
}
