"""The operation as recorded at surgery (issue 19; S2 Table 4, surgery: decompression and/or
stabilisation): procedure, approach, levels, instrumentation and complications. Recording it ticks
the surgery duties it fulfils (cases.timeline.FACT_DUTIES)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .case import Case
from .lesion import validate_levels


class Procedure(models.TextChoices):
    SEPARATION_SURGERY = "separation_surgery", "Separation surgery"
    DECOMPRESSION_STABILISATION = "decompression_stabilisation", "Decompression and stabilisation"
    STABILISATION = "stabilisation", "Stabilisation alone"
    EN_BLOC = "en_bloc", "En bloc resection"
    KYPHOPLASTY = "kyphoplasty", "Kyphoplasty / vertebroplasty"


class Approach(models.TextChoices):
    POSTERIOR = "posterior", "Posterior"
    ANTERIOR = "anterior", "Anterior"
    COMBINED = "combined", "Combined anterior and posterior"
    MINIMALLY_INVASIVE = "mis", "Minimally invasive (percutaneous)"


class Instrumentation(models.TextChoices):
    NONE = "none", "None"
    PEDICLE_SCREWS = "pedicle_screws", "Pedicle screws and rods"
    CEMENT_AUGMENTED = "cement_augmented", "Cement-augmented pedicle screws"
    VERTEBRAL_BODY_REPLACEMENT = "vbr", "Vertebral body replacement (cage)"
    CEMENT = "cement", "Cement only"


class Complication(models.TextChoices):
    DURAL_TEAR = "dural_tear", "Dural tear"
    WOUND = "wound", "Wound infection or dehiscence"
    HAEMATOMA = "haematoma", "Epidural haematoma"
    NEURO_DETERIORATION = "neuro_deterioration", "Neurological deterioration"
    IMPLANT = "implant", "Implant malposition or failure"
    BLOOD_LOSS = "blood_loss", "Major blood loss (transfusion)"
    OTHER = "other", "Other (see the note)"


def validate_complications(value: object) -> None:
    if not isinstance(value, list) or any(code not in Complication.values for code in value):
        raise ValidationError("choose complications from the list")


class SurgeryRecord(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="surgeries")
    performed_on = models.DateField("Date of the operation")
    procedure = models.CharField(max_length=32, choices=Procedure.choices)
    approach = models.CharField(max_length=12, choices=Approach.choices)
    levels = models.JSONField(validators=[validate_levels])
    instrumentation = models.CharField(max_length=20, choices=Instrumentation.choices)
    complications = models.JSONField(default=list, blank=True,
                                     validators=[validate_complications])
    complication_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["performed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(procedure__in=Procedure.values),
                                   name="surgery_procedure_valid"),
            models.CheckConstraint(condition=Q(approach__in=Approach.values),
                                   name="surgery_approach_valid"),
            models.CheckConstraint(condition=Q(instrumentation__in=Instrumentation.values),
                                   name="surgery_instrumentation_valid"),
        ]

    def __str__(self) -> str:
        return f"surgery {self.pk} ({self.procedure})"

    def clean(self) -> None:
        if self.performed_on and self.performed_on > timezone.localdate():
            raise ValidationError({"performed_on": "cannot be in the future"})
        if "other" in (self.complications or []) and not self.complication_note.strip():
            raise ValidationError({"complication_note": "describe the other complication"})
