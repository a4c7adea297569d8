"""The radiotherapy plan of a case (CLINICAL.md §16; S2 §7): technique, dose, fractions, target
levels, planned and actual start and end; after separation surgery, its start is read against
§16's window (``scoring.calculators.RADIOTHERAPY_AFTER_SURGERY``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .case import Case
from .lesion import validate_levels


class RadiotherapyTechnique(models.TextChoices):
    SBRT = "sbrt", "SBRT (stereotactic body radiotherapy)"
    CEBRT = "cebrt", "cEBRT (conventional external beam radiotherapy)"


class RadiotherapyPlan(models.Model):
    Technique = RadiotherapyTechnique

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="radiotherapy_plans")
    technique = models.CharField(max_length=8, choices=RadiotherapyTechnique.choices)
    dose_gy = models.FloatField("Dose (Gy)",
                                validators=[MinValueValidator(0.1), MaxValueValidator(100)])
    fractions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    target_levels = models.JSONField(validators=[validate_levels],
                                     help_text="The treated levels, e.g. T7, T8.")
    surgery_date = models.DateField(
        "Separation surgery on", null=True, blank=True,
        help_text="When radiotherapy follows separation surgery: §16's 14-28 day window runs "
                  "from this date.",
    )  # fmt: skip
    planned_start = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(technique__in=RadiotherapyTechnique.values),
                                   name="rt_plan_technique_valid"),
            models.CheckConstraint(condition=Q(dose_gy__gt=0), name="rt_plan_dose_positive"),
            models.CheckConstraint(condition=Q(fractions__gte=1), name="rt_plan_fractions_min"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="rt_plan_planned_end_after_start"),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=F("actual_start"))),
                name="rt_plan_actual_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Radiotherapy plan #{self.pk}"

    @property
    def dose_per_fraction(self) -> float | None:
        return round(self.dose_gy / self.fractions, 2) if self.dose_gy and self.fractions else None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.planned_end and self.planned_start and self.planned_end < self.planned_start:
            errors["planned_end"] = "cannot be before the planned start"
        if self.actual_end and not self.actual_start:
            errors["actual_start"] = "give the actual start with the actual end"
        elif self.actual_end and self.actual_start and self.actual_end < self.actual_start:
            errors["actual_end"] = "cannot be before the actual start"
        for name in ("actual_start", "actual_end", "surgery_date"):
            value = getattr(self, name)
            if value and value > today and name not in errors:
                errors[name] = "cannot be in the future"
        if (self.surgery_date and self.planned_start and self.planned_start < self.surgery_date):
            errors["planned_start"] = "cannot be before the surgery it follows"
        if errors:
            raise ValidationError(errors)
