"""Spinal lesions and their serial imaging (DESIGN.md, Domain: "Spinal lesion").

A lesion is its identity (case, levels, label); each imaging study is a row with every SINS and
Bilsky input. The latest study is the lesion's current state; progression within 6 weeks is
computed from the last two studies by the scoring core (CLINICAL.md §8 ``rapid_progression``),
never typed in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring.calculators import (
    LEVELS,
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    Pain,
    Posterolateral,
)

from .case import Case, _choices

PAIN_CHOICES = _choices(
    Pain,
    {"mechanical": "Mechanical", "occasional": "Occasional, non-mechanical",
     "none": "Pain-free lesion"},
)
BONE_LESION_CHOICES = _choices(BoneLesion)
ALIGNMENT_CHOICES = _choices(
    Alignment, {"subluxation": "Subluxation / translation", "deformity": "De novo deformity"}
)
COLLAPSE_CHOICES = _choices(
    Collapse,
    {"over_50": "Over 50 % collapse", "under_50": "Under 50 % collapse",
     "involved_over_50": "No collapse, over 50 % of the body involved", "none": "None"},
)
POSTEROLATERAL_CHOICES = _choices(Posterolateral)
BILSKY_CHOICES = [(m.value, f"Bilsky {m.value}") for m in BilskyGrade]


class Modality(models.TextChoices):
    """How a study was made. CLINICAL.md §2: Bilsky is graded on axial T2 MRI (CT myelography
    where MRI is impossible); §8's triggers read "on any imaging modality"."""

    MRI = "mri", "MRI"
    CT_MYELOGRAPHY = "ct_myelography", "CT myelography"
    CT = "ct", "CT"
    PET_CT = "pet_ct", "PET-CT"
    BONE_SCINTIGRAPHY = "bone_scintigraphy", "Bone scintigraphy"
    RADIOGRAPH = "radiograph", "Radiograph"


#: The modalities that show the epidural space, hence grade Bilsky (CLINICAL.md §2).
BILSKY_MODALITIES = (Modality.MRI.value, Modality.CT_MYELOGRAPHY.value)
BILSKY_HELP = "Needs MRI or CT myelography; leave empty for any other modality."


def bilsky_modality_errors(*, modality: str, bilsky: str) -> dict[str, str]:
    """A Bilsky grade exactly when the modality can grade it (CLINICAL.md §2): the errors by
    field, worded for the form ("Bilsky grade" is the field's label there)."""
    if bilsky and modality not in BILSKY_MODALITIES:
        label = Modality(modality).label if modality in Modality.values else "this modality"
        return {"bilsky": f"Bilsky grade needs MRI or CT myelography, not {label}: leave it "
                          "empty or change the modality"}
    if not bilsky and modality in BILSKY_MODALITIES:
        return {"bilsky": f"give the Bilsky grade read on this {Modality(modality).label} "
                          "(0 when the disease is bone-only)"}
    return {}


def validate_levels(value: object) -> None:
    """At least one level, each one SINS scores (CLINICAL.md §1: C0-S5, no coccyx), no repeat."""
    if not isinstance(value, list) or not value:
        raise ValidationError("give at least one spinal level")
    known = {str(level) for level in LEVELS}
    unknown = [str(level) for level in value if level not in known]
    if unknown:
        raise ValidationError(
            f"unknown level(s) {', '.join(unknown)}: use C0-C7, T1-T12, L1-L5, S1-S5"
        )
    if len(set(value)) != len(value):
        raise ValidationError("a level is listed twice")


class SpinalLesion(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lesions")
    label = models.CharField(max_length=60)
    levels = models.JSONField(validators=[validate_levels])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "label"], name="lesion_label_unique"),
        ]

    def __str__(self) -> str:
        return f"Lesion #{self.pk}"


class LesionImaging(models.Model):
    """One imaging study of one lesion: every SINS input but the location, and the Bilsky grade."""

    lesion = models.ForeignKey(SpinalLesion, on_delete=models.CASCADE, related_name="imagings")
    imaging_date = models.DateField()
    # Default MRI: the staging study of a spinal metastasis, and what every study recorded
    # before modalities were (they all carry a Bilsky grade; migration 0006).
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.MRI.value)
    pain = models.CharField(max_length=12, choices=PAIN_CHOICES)
    bone_lesion = models.CharField(max_length=8, choices=BONE_LESION_CHOICES)
    alignment = models.CharField(max_length=12, choices=ALIGNMENT_CHOICES)
    collapse = models.CharField(max_length=20, choices=COLLAPSE_CHOICES)
    posterolateral = models.CharField(max_length=12, choices=POSTEROLATERAL_CHOICES)
    # Empty on a study that cannot grade it (a CT, a bone scan): the lesion keeps the grade of
    # its latest MRI (cases.evaluation.effective_bilsky).
    bilsky = models.CharField("Bilsky grade", max_length=2, choices=BILSKY_CHOICES, blank=True,
                              help_text=BILSKY_HELP)
    # CLINICAL.md §7: progression after radiation to the same field.
    progressed_after_radiation = models.BooleanField(
        default=False, help_text="The lesion grew after radiotherapy to the same field."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["imaging_date", "pk"]
        constraints = [
            # One study per lesion and day, so "the last two studies" is well defined.
            models.UniqueConstraint(fields=["lesion", "imaging_date"],
                                    name="imaging_one_per_lesion_and_day"),
            models.CheckConstraint(condition=Q(pain__in=[m.value for m in Pain]),
                                   name="imaging_pain_valid"),
            models.CheckConstraint(condition=Q(bone_lesion__in=[m.value for m in BoneLesion]),
                                   name="imaging_bone_lesion_valid"),
            models.CheckConstraint(condition=Q(alignment__in=[m.value for m in Alignment]),
                                   name="imaging_alignment_valid"),
            models.CheckConstraint(condition=Q(collapse__in=[m.value for m in Collapse]),
                                   name="imaging_collapse_valid"),
            models.CheckConstraint(
                condition=Q(posterolateral__in=[m.value for m in Posterolateral]),
                name="imaging_posterolateral_valid",
            ),
            models.CheckConstraint(condition=Q(bilsky__in=["", *[m.value for m in BilskyGrade]]),
                                   name="imaging_bilsky_valid"),
            models.CheckConstraint(condition=Q(modality__in=Modality.values),
                                   name="imaging_modality_valid"),
            # A Bilsky grade exactly on the modalities that grade it (CLINICAL.md §2).
            models.CheckConstraint(
                condition=(Q(modality__in=BILSKY_MODALITIES) & ~Q(bilsky=""))
                | (~Q(modality__in=BILSKY_MODALITIES) & Q(bilsky="")),
                name="imaging_bilsky_needs_mri",
            ),
        ]

    def __str__(self) -> str:
        return f"Imaging #{self.pk}"

    def clean(self) -> None:
        errors = bilsky_modality_errors(modality=self.modality, bilsky=self.bilsky)
        if self.imaging_date and self.imaging_date > timezone.localdate():
            errors["imaging_date"] = "cannot be in the future"
        if errors:
            raise ValidationError(errors)
