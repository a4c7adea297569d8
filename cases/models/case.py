"""The case: one patient's breast-cancer spinal-metastasis episode (DESIGN.md, Domain).

Field names of the clinical picture are those of the scoring core's request (``kps``, ``frankel``,
``vertebral_metastases``...), so an input error of the calculators names the case field as it is.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scoring.calculators import BoneModifyingAgent, Frankel, MolecularSubtype, VisceralMetastases
from tumorboard.models import Team

from ..timeline import Phase
from .patient import Patient


def _choices(enum: type[StrEnum], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(m.value, (labels or {}).get(m.value, m.value.replace("_", " "))) for m in enum]


FRANKEL_CHOICES = [
    ("A", "A: complete"),
    ("B", "B: sensory only"),
    ("C", "C: motor useless"),
    ("D", "D: motor useful"),
    ("E", "E: normal"),
]
ASIA_CHOICES = [(grade, f"ASIA {grade}") for grade in "ABCDE"]
FRANKEL_VALUES = [m.value for m in Frankel]
VISCERAL_CHOICES = _choices(VisceralMetastases)
BONE_AGENT_CHOICES = _choices(BoneModifyingAgent)
SUBTYPE_CHOICES = _choices(MolecularSubtype, {"her2_enriched": "HER2-enriched"})


class PrimaryStatus(models.TextChoices):
    KNOWN_BREAST = "known_breast", "Known breast cancer"
    SUSPECTED_BREAST = "suspected_breast", "Suspected breast cancer"
    UNKNOWN = "unknown", "Unknown primary"


def validate_kps(value: int) -> None:
    """KPS 0-100 in steps of 10 (CLINICAL.md §6)."""
    if value % 10:
        raise ValidationError("KPS goes in steps of 10 (0, 10, ... 100)")


class Case(models.Model):
    PrimaryStatus = PrimaryStatus

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    primary_status = models.CharField(max_length=20, choices=PrimaryStatus.choices)

    # Receptors (CLINICAL.md §12); null means not tested. The scoring core derives the subtype.
    er = models.BooleanField("ER positive", null=True, blank=True)
    pr = models.BooleanField("PR positive", null=True, blank=True)
    her2 = models.BooleanField("HER2 positive", null=True, blank=True)
    ki67 = models.FloatField(
        "Ki-67 (%)", null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    subtype = models.CharField(
        max_length=20, choices=SUBTYPE_CHOICES, default=MolecularSubtype.UNKNOWN.value,
        editable=False,
    )  # fmt: skip

    # Systemic therapy state (CLINICAL.md §10).
    cdk46_inhibitor = models.BooleanField("On a CDK4/6 inhibitor", default=False)
    bone_modifying_agent = models.CharField(max_length=20, choices=BONE_AGENT_CHOICES, blank=True)
    bone_agent_last_dose = models.DateField(null=True, blank=True)
    anc_per_mm3 = models.PositiveIntegerField("Last ANC (/mm³)", null=True, blank=True)
    anc_date = models.DateField("ANC date", null=True, blank=True)
    planned_surgery_date = models.DateField(null=True, blank=True)

    # Performance status and neurology (CLINICAL.md §6).
    kps = models.PositiveSmallIntegerField(
        "KPS", null=True, blank=True, validators=[MaxValueValidator(100), validate_kps]
    )
    ecog = models.PositiveSmallIntegerField(
        "ECOG", null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    frankel = models.CharField(max_length=1, choices=FRANKEL_CHOICES, blank=True)
    asia = models.CharField("ASIA", max_length=1, choices=ASIA_CHOICES, blank=True)
    neurological_deficit = models.BooleanField(null=True, blank=True)
    # When the deficit began (CLINICAL.md §9a, the six-hour window): a date and hour, or unknown.
    deficit_onset_at = models.DateTimeField("Deficit onset", null=True, blank=True,
                                            help_text="Date and hour the weakness began.")
    deficit_onset_unknown = models.BooleanField("Deficit onset unknown", default=False)
    new_or_progressive_back_pain = models.BooleanField(null=True, blank=True)
    new_patient = models.BooleanField(null=True, blank=True)
    ambulatory = models.BooleanField(null=True, blank=True)
    albumin_g_dl = models.FloatField(
        "Albumin (g/dL)", null=True, blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(7)],
    )  # fmt: skip

    # Metastatic burden (CLINICAL.md §3-4).
    extraspinal_bone_metastases = models.PositiveSmallIntegerField(null=True, blank=True)
    vertebral_metastases = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    visceral_metastases = models.CharField(max_length=12, choices=VISCERAL_CHOICES, blank=True)

    # Care team: who sees the case (cases.permissions, cases.selectors).
    breast_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="breast_cases",
        limit_choices_to={"kind": Team.Kind.BREAST},
    )  # fmt: skip
    spine_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="spine_cases",
        limit_choices_to={"kind": Team.Kind.SPINE},
    )  # fmt: skip
    mdt_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="mdt_cases",
        limit_choices_to={"kind": Team.Kind.MDT},
    )  # fmt: skip
    oncologists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="oncology_cases"
    )

    phase = models.CharField(max_length=32, choices=Phase.choices)
    # Denormalised pointers kept by the services, so that lists need no per-row query.
    current_event = models.ForeignKey(
        "cases.PhaseEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    latest_assessment = models.ForeignKey(
        "cases.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency: every write increments it; a PATCH with a stale one gets 409.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["current_event", "latest_assessment"])

    class Meta:
        indexes = [
            # The poll of REST clients: ?updated_since=...
            models.Index(fields=["updated_at"], name="case_updated_at_idx"),
            models.Index(fields=["phase"], name="case_phase_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="case_phase_valid"),
            models.CheckConstraint(
                condition=Q(primary_status__in=PrimaryStatus.values),
                name="case_primary_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kps__isnull=True) | Q(kps__lte=100), name="case_kps_range"
            ),
            models.CheckConstraint(
                condition=Q(ecog__isnull=True) | Q(ecog__lte=5), name="case_ecog_range"
            ),
            models.CheckConstraint(
                condition=Q(ki67__isnull=True) | Q(ki67__gte=0, ki67__lte=100),
                name="case_ki67_range",
            ),
            models.CheckConstraint(
                condition=Q(vertebral_metastases__isnull=True) | Q(vertebral_metastases__gte=1),
                name="case_vertebral_metastases_min",
            ),
            models.CheckConstraint(
                condition=Q(frankel="") | Q(frankel__in=FRANKEL_VALUES), name="case_frankel_valid"
            ),
            models.CheckConstraint(
                condition=Q(asia="") | Q(asia__in=list("ABCDE")), name="case_asia_valid"
            ),
            models.CheckConstraint(
                condition=Q(breast_team__isnull=False) | Q(spine_team__isnull=False),
                name="case_has_a_surgical_team",
                violation_error_message="a case needs a breast team or a spine team",
            ),
            models.CheckConstraint(
                condition=Q(bone_agent_last_dose__isnull=True) | ~Q(bone_modifying_agent=""),
                name="case_bone_dose_needs_agent",
                violation_error_message="a last dose needs the bone-modifying agent",
            ),
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.breast_team is not None and self.breast_team.kind != Team.Kind.BREAST:
            errors["breast_team"] = "must be a breast oncology team"
        if self.spine_team is not None and self.spine_team.kind != Team.Kind.SPINE:
            errors["spine_team"] = "must be a spine team"
        if self.mdt_team is not None and self.mdt_team.kind != Team.Kind.MDT:
            errors["mdt_team"] = "must be an MDT team"
        if self.bone_agent_last_dose is not None and not self.bone_modifying_agent:
            errors["bone_agent_last_dose"] = "give the bone-modifying agent of this dose"
        if self.deficit_onset_at is not None and self.deficit_onset_at > timezone.now():
            errors["deficit_onset_at"] = "cannot be in the future"
        if not (self.breast_team_id or self.spine_team_id):
            errors["breast_team"] = "a case needs a breast team or a spine team"
        if self.anc_per_mm3 is not None and self.anc_date is None:
            errors["anc_date"] = "give the date of the ANC"
        if errors:
            raise ValidationError(errors)

    @property
    def urgency(self) -> str | None:
        assessment = self.latest_assessment
        return assessment.urgency if assessment is not None else None
