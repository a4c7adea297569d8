"""Patients and their breast-cancer spinal-metastasis cases."""

from __future__ import annotations

from django.db import models

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "mrn"], name="patient_mrn_unique"),
            models.CheckConstraint(
                condition=models.Q(sex__in=Sex.values), name="patient_sex_valid"
            ),
        ]

    def __str__(self) -> str:
        # Ids only: str() of a model ends up in logs and admin messages.
        return f"Patient #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
