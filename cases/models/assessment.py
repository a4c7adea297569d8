"""A stored, versioned run of the calculators (DESIGN.md, Domain: "Assessment").

``inputs`` is the exact request given to ``scoring.calculators.evaluate_request`` and
``evaluated_at`` its reference time, so ``evaluate_request(inputs, now=evaluated_at)`` reproduces
``result`` under the same ``rules_version`` (cases.selectors.assessment_reproduce). Append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from scoring.calculators import BilskyGrade, NomsPathway, Urgency

from .case import SUBTYPE_CHOICES, Case, _choices

URGENCY_CHOICES = _choices(Urgency)
PATHWAY_CHOICES = _choices(NomsPathway)


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    evaluated_at = models.DateTimeField()
    rules_version = models.CharField(max_length=20)
    inputs = models.JSONField()
    result = models.JSONField()
    # Denormalised from ``result`` for lists, filters and the agenda.
    subtype = models.CharField(max_length=20, choices=SUBTYPE_CHOICES)
    max_sins = models.PositiveSmallIntegerField("Highest SINS")
    max_bilsky = models.CharField("Highest Bilsky grade", max_length=2,
                                  choices=[(m.value, m.value) for m in BilskyGrade])
    urgency = models.CharField(max_length=8, choices=URGENCY_CHOICES, blank=True)
    pathway = models.CharField(max_length=32, choices=PATHWAY_CHOICES)
    tokuhashi_total = models.PositiveSmallIntegerField()
    tomita_total = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-evaluated_at"], name="assessment_case_latest_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(max_sins__gte=0, max_sins__lte=18),
                                   name="assessment_sins_range"),
            models.CheckConstraint(condition=Q(tokuhashi_total__gte=0, tokuhashi_total__lte=15),
                                   name="assessment_tokuhashi_range"),
            models.CheckConstraint(condition=Q(tomita_total__gte=2, tomita_total__lte=10),
                                   name="assessment_tomita_range"),
            models.CheckConstraint(condition=Q(max_bilsky__in=[m.value for m in BilskyGrade]),
                                   name="assessment_bilsky_valid"),
            models.CheckConstraint(
                condition=Q(urgency="") | Q(urgency__in=[m.value for m in Urgency]),
                name="assessment_urgency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment #{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("an assessment is append-only: run a new one instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
