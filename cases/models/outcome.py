"""Outcomes at follow-up (S2 §8): neurology, performance, pain, ambulation, patient-reported
summary scores, imaging findings and survival. One record per visit, shared by both surgeons.

Patient-reported outcomes are the EORTC summary scores only (0-100), never the questionnaire items:
QLQ-C30 global health status / QoL, and the QLQ-BM22 subscales (painful sites, pain
characteristics, functional interference, psychosocial aspects).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .case import ASIA_CHOICES, FRANKEL_CHOICES, FRANKEL_VALUES, Case, validate_kps


class Ambulation(models.TextChoices):
    INDEPENDENT = "independent", "Walks independently"
    WITH_AID = "with_aid", "Walks with an aid"
    NON_AMBULATORY = "non_ambulatory", "Non-ambulatory"


class Analgesics(models.TextChoices):
    """Analgesic use at the visit, by the steps of the WHO analgesic ladder (CLINICAL.md §18)."""

    NONE = "none", "No analgesics"
    NON_OPIOID = "non_opioid", "Non-opioid only"
    WEAK_OPIOID = "weak_opioid", "Weak opioid"
    STRONG_OPIOID = "strong_opioid", "Strong opioid"


#: The ladder's order, for the trend chart (0 none ... 3 strong opioid).
ANALGESIC_STEP = {choice.value: step for step, choice in enumerate(Analgesics)}


class ImplantIntegrity(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "No implant"
    INTACT = "intact", "Intact"
    LOOSENING = "loosening", "Loosening"
    FAILURE = "failure", "Failure"


class LocalControl(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    CONTROLLED = "controlled", "Local control"
    PROGRESSION = "progression", "Local progression"


class SurvivalStatus(models.TextChoices):
    ALIVE = "alive", "Alive"
    DECEASED = "deceased", "Deceased"


def _score_0_100(verbose: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose, null=True, blank=True, validators=[MaxValueValidator(100)]
    )


def _score_0_10(verbose: str) -> models.DecimalField:
    return models.DecimalField(
        verbose, max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )


#: MDASI summary scores (0-10, the means of its items): scores only, not the items (§18).
MDASI_FIELDS = ("mdasi_severity", "mdasi_interference")

PRO_FIELDS = (
    "qlq_c30_global",
    "bm22_painful_sites",
    "bm22_pain_characteristics",
    "bm22_functional_interference",
    "bm22_psychosocial_aspects",
)


class FollowUpVisit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    visit_date = models.DateField()
    frankel = models.CharField(max_length=1, choices=FRANKEL_CHOICES)
    asia = models.CharField("ASIA", max_length=1, choices=ASIA_CHOICES, blank=True)
    ecog = models.PositiveSmallIntegerField("ECOG", null=True, blank=True,
                                            validators=[MaxValueValidator(5)])
    kps = models.PositiveSmallIntegerField("KPS", null=True, blank=True,
                                           validators=[MaxValueValidator(100), validate_kps])
    pain_nrs = models.PositiveSmallIntegerField("Pain (NRS 0-10)",
                                                validators=[MaxValueValidator(10)])
    ambulation = models.CharField(max_length=16, choices=Ambulation.choices)
    # Analgesic use (§18); blank only on visits recorded before it was asked.
    analgesics = models.CharField("Analgesic use", max_length=16, choices=Analgesics.choices,
                                  blank=True)
    mdasi_severity = _score_0_10("MDASI symptom severity (mean 0-10)")
    mdasi_interference = _score_0_10("MDASI interference (mean 0-10)")
    qlq_c30_global = _score_0_100("QLQ-C30 global health status")
    bm22_painful_sites = _score_0_100("BM22 painful sites")
    bm22_pain_characteristics = _score_0_100("BM22 pain characteristics")
    bm22_functional_interference = _score_0_100("BM22 functional interference")
    bm22_psychosocial_aspects = _score_0_100("BM22 psychosocial aspects")
    new_metastases = models.BooleanField("New metastases on imaging", null=True, blank=True)
    # CLINICAL.md §18: new spinal lesions, local progression (``local_control``) or a new deficit
    # at a visit re-enter spine-metastasis detection (cases.followups).
    new_spinal_lesions = models.BooleanField("New spinal lesions on imaging", null=True,
                                             blank=True)
    implant_integrity = models.CharField(max_length=16, choices=ImplantIntegrity.choices,
                                         default=ImplantIntegrity.NOT_APPLICABLE)
    local_control = models.CharField(max_length=16, choices=LocalControl.choices,
                                     default=LocalControl.NOT_ASSESSED)
    survival_status = models.CharField(max_length=10, choices=SurvivalStatus.choices,
                                       default=SurvivalStatus.ALIVE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(pain_nrs__lte=10), name="followup_pain_range"),
            models.CheckConstraint(condition=Q(kps__isnull=True) | Q(kps__lte=100),
                                   name="followup_kps_range"),
            models.CheckConstraint(condition=Q(ecog__isnull=True) | Q(ecog__lte=5),
                                   name="followup_ecog_range"),
            models.CheckConstraint(condition=Q(frankel__in=FRANKEL_VALUES),
                                   name="followup_frankel_valid"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": 100}),
                    name=f"followup_{name}_range",
                )
                for name in PRO_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 0, f"{name}__lte": 10}),
                    name=f"followup_{name}_range",
                )
                for name in MDASI_FIELDS
            ),
            models.CheckConstraint(
                condition=Q(analgesics="") | Q(analgesics__in=Analgesics.values),
                name="followup_analgesics_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.visit_date and self.visit_date > timezone.localdate():
            errors["visit_date"] = "cannot be in the future"
        if self.kps is None and self.ecog is None:
            errors["kps"] = "give KPS or ECOG"
        if errors:
            raise ValidationError(errors)
