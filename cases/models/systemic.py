"""Systemic therapy as dated episodes with holds, and dated laboratory values (CLINICAL.md §16,
read by §10's checks through ``scoring.calculators.earliest_safe_surgery``).

The case's older summary fields (``cdk46_inhibitor``, ``bone_modifying_agent``,
``bone_agent_last_dose``, ``anc_per_mm3``) stay and keep working: ``cases.systemic`` reads them
beside these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring.calculators import LAB_UNITS, Hold, LabKind, TherapyClass

from .case import Case

THERAPY_CLASS_LABELS = {
    TherapyClass.ENDOCRINE: "Endocrine therapy",
    TherapyClass.CDK46_INHIBITOR: "CDK4/6 inhibitor",
    TherapyClass.ANTI_HER2: "Anti-HER2 therapy",
    TherapyClass.CHEMOTHERAPY: "Chemotherapy",
    TherapyClass.ADC: "Antibody-drug conjugate",
    TherapyClass.IMMUNOTHERAPY: "Immunotherapy",
    TherapyClass.BONE_MODIFYING_AGENT: "Bone-modifying agent",
}
THERAPY_CLASS_CHOICES = [(member.value, THERAPY_CLASS_LABELS[member]) for member in TherapyClass]
LAB_KIND_LABELS = {
    LabKind.ANC: "ANC", LabKind.PLATELETS: "Platelets", LabKind.HAEMOGLOBIN: "Haemoglobin",
    LabKind.CA15_3: "CA 15-3", LabKind.CEA: "CEA", LabKind.ALP: "Alkaline phosphatase",
}
LAB_KIND_CHOICES = [(member.value, LAB_KIND_LABELS[member]) for member in LabKind]


class SystemicTherapyEpisode(models.Model):
    """One drug given from ``started_on`` to ``stopped_on`` (open: still given), with its holds."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="therapy_episodes")
    therapy_class = models.CharField(max_length=24, choices=THERAPY_CLASS_CHOICES)
    drug = models.CharField(max_length=80)
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    last_dose_on = models.DateField(
        "Last dose", null=True, blank=True,
        help_text="For a drug given at intervals (a bone-modifying agent): the last dose given.",
    )  # fmt: skip
    stop_reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(therapy_class__in=TherapyClass._value2member_map_),
                                   name="episode_class_valid"),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=F("started_on")),
                name="episode_stops_after_start"),
        ]

    def __str__(self) -> str:
        return f"Therapy episode #{self.pk}"

    @property
    def hold_in_force(self) -> TherapyHold | None:
        """The hold pausing the episode today, if any (its holds as the caller prefetched them):
        a held drug is not "ongoing" on the case page (CLINICAL.md §10: a CDK4/6 inhibitor held
        before surgery)."""
        if self.stopped_on is not None:
            return None
        today = timezone.localdate()
        return next((hold for hold in self.holds.all() if hold.as_hold().covers(today)), None)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.stopped_on and self.started_on and self.stopped_on < self.started_on:
            errors["stopped_on"] = "cannot be before the start"
        if self.stopped_on and self.stopped_on > today:
            errors["stopped_on"] = "cannot be in the future"
        if self.last_dose_on:
            if self.started_on and self.last_dose_on < self.started_on:
                errors["last_dose_on"] = "cannot be before the start"
            elif self.stopped_on and self.last_dose_on > self.stopped_on:
                errors["last_dose_on"] = "cannot be after the stop"
            elif self.last_dose_on > today:
                errors["last_dose_on"] = "cannot be in the future"
        if self.stopped_on and not self.stop_reason.strip():
            errors["stop_reason"] = "give the reason it stopped"
        if errors:
            raise ValidationError(errors)


class TherapyHold(models.Model):
    """A pause of an episode from ``held_from`` to ``held_to`` (open: still held), with why."""

    episode = models.ForeignKey(SystemicTherapyEpisode, on_delete=models.CASCADE,
                                related_name="holds")
    held_from = models.DateField("From")
    held_to = models.DateField("To", null=True, blank=True)
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_to__isnull=True) | Q(held_to__gte=F("held_from")),
                name="hold_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"Therapy hold #{self.pk}"

    def as_hold(self) -> Hold:
        """The calculators' hold (CLINICAL.md §10), which says which days it covers."""
        return Hold(self.held_from, self.held_to, self.reason)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.held_to and self.held_from and self.held_to < self.held_from:
            errors["held_to"] = "cannot be before the start of the hold"
        if not self.reason.strip():
            errors["reason"] = "give the reason for the hold"
        episode = self.episode if self.episode_id else None
        if episode is not None and self.held_from:
            if self.held_from < episode.started_on:
                errors["held_from"] = "cannot be before the episode started"
            elif episode.stopped_on and self.held_from > episode.stopped_on:
                errors["held_from"] = "cannot be after the episode stopped"
        if errors:
            raise ValidationError(errors)


class LabValue(models.Model):
    """One dated laboratory value (units fixed per kind: ``scoring.calculators.LAB_UNITS``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lab_values")
    kind = models.CharField(max_length=16, choices=LAB_KIND_CHOICES)
    value = models.FloatField(validators=[MinValueValidator(0)])
    taken_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "taken_on", "pk"]
        indexes = [models.Index(fields=["case", "kind", "taken_on"], name="lab_case_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LabKind._value2member_map_),
                                   name="lab_kind_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="lab_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Lab value #{self.pk}"

    @property
    def unit(self) -> str:
        return LAB_UNITS[LabKind(self.kind)]

    def clean(self) -> None:
        if self.taken_on and self.taken_on > timezone.localdate():
            raise ValidationError({"taken_on": "cannot be in the future"})
