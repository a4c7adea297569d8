"""The patient: identifiers and demographics (PHI)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tumorboard.models import Institution


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    """A person under care. Everything here is patient data: never log it."""

    Sex = Sex

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=40)
    family_name = models.CharField(max_length=120)
    given_name = models.CharField(max_length=120)
    birth_date = models.DateField()
    sex = models.CharField(max_length=8, choices=Sex.choices)
    # Who registered the patient: they see the patient before any case exists (selectors).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            # One patient per MRN and institution whatever the case of its letters:
            # "demo-1001" and "DEMO-1001" are one person (migration 0007 refuses duplicates).
            models.UniqueConstraint(Lower("mrn"), "institution", name="patient_mrn_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(sex__in=Sex.values), name="patient_sex_valid"
            ),
        ]

    def __str__(self) -> str:
        # Ids only: str() of a model ends up in logs and admin messages.
        return f"Patient #{self.pk}"

    def clean(self) -> None:
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": "cannot be in the future"})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
