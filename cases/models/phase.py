"""The care timeline as rows: every phase move is an event; each duty ticked is a row.

S2 Table 4 (duties) and cases.timeline (the allowed moves). An event is the start of one stay in a
phase; the checklist of that stay hangs off it, so a case re-entering detection after surveillance
gets a fresh checklist while the earlier one stays on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..timeline import Phase, Specialty
from .case import Case


class PhaseEvent(models.Model):
    """Who moved the case, when, from which phase to which, and why (append-only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_events")
    from_phase = models.CharField(max_length=32, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=32, choices=Phase.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    timeline_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["at", "pk"]
        # The case page and the timeline endpoint: a case's events in order.
        indexes = [models.Index(fields=["case", "at"], name="phase_event_case_at_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(to_phase__in=Phase.values),
                                   name="phase_event_to_valid"),
            models.CheckConstraint(condition=Q(from_phase="") | Q(from_phase__in=Phase.values),
                                   name="phase_event_from_valid"),
            models.CheckConstraint(condition=~Q(from_phase=models.F("to_phase")),
                                   name="phase_event_moves"),
        ]

    def __str__(self) -> str:
        return f"Phase event #{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("a phase event is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class DutyTick(models.Model):
    """One S2 Table 4 duty done during one stay in a phase, with who and when."""

    event = models.ForeignKey(PhaseEvent, on_delete=models.CASCADE, related_name="ticks")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="duty_ticks")
    duty_code = models.CharField(max_length=60)
    specialty = models.CharField(max_length=32, choices=Specialty.choices)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    ticked_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ticked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "duty_code"], name="duty_tick_once_per_stay"),
        ]

    def __str__(self) -> str:
        return f"Duty tick #{self.pk}"
