"""The thin adapter between the case's rows and the pure §10/§16 calculators
(``scoring.calculators.systemic``): episodes, holds and laboratory values in, the earliest safe
date of elective surgery, the resumption after surgery and the laboratory trends out.

The case's older summary fields keep working: a CDK4/6 yes, a bone-modifying agent with its last
dose and the last ANC on the case are read as one more episode or value when no row of the same
class or kind says more (CLINICAL.md §10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from scoring.calculators import (
    LAB_UNITS,
    Episode,
    Lab,
    LabKind,
    RadiotherapyFlag,
    ResumeItem,
    SafeSurgeryDate,
    TherapyClass,
    Urgency,
    denosumab_with_radiotherapy,
    earliest_safe_surgery,
    lab_trend,
    radiotherapy_window,
    resume_after_surgery,
)

from .models import Case, LabValue, PhaseEvent, RadiotherapyPlan, SystemicTherapyEpisode
from .models.systemic import LAB_KIND_LABELS
from .timeline import Phase

_AGENT_DRUG = {"zoledronic_acid": "zoledronic acid", "denosumab": "denosumab"}
#: The drug of the episode read from the older CDK4/6 summary field, which names none.
SUMMARY_CDK46_DRUG = "CDK4/6 inhibitor"


def episode_of(row: SystemicTherapyEpisode) -> Episode:
    """One row (its holds prefetched or not) as the calculators' episode."""
    return Episode(
        therapy_class=TherapyClass(row.therapy_class), drug=row.drug, started_on=row.started_on,
        stopped_on=row.stopped_on, last_dose_on=row.last_dose_on,
        holds=tuple(hold.as_hold() for hold in row.holds.all()),
    )


def case_episodes(case: Case, rows: list[SystemicTherapyEpisode] | None = None) -> list[Episode]:
    """The case's episodes, with the older summary fields as episodes when no row of their class
    is recorded (they keep working until an episode replaces them)."""
    if rows is None:
        rows = list(case.therapy_episodes.prefetch_related("holds"))
    episodes = [episode_of(row) for row in rows]
    classes = {episode.therapy_class for episode in episodes}
    if case.cdk46_inhibitor and TherapyClass.CDK46_INHIBITOR not in classes:
        episodes.append(Episode(TherapyClass.CDK46_INHIBITOR, SUMMARY_CDK46_DRUG, date.min))
    if case.bone_modifying_agent and TherapyClass.BONE_MODIFYING_AGENT not in classes:
        last = case.bone_agent_last_dose
        episodes.append(Episode(TherapyClass.BONE_MODIFYING_AGENT,
                                _AGENT_DRUG.get(case.bone_modifying_agent,
                                                case.bone_modifying_agent),
                                last or date.min, last_dose_on=last))
    return episodes


def case_labs(case: Case, rows: list[LabValue] | None = None) -> list[Lab]:
    if rows is None:
        rows = list(case.lab_values.all())
    labs = [Lab(LabKind(row.kind), row.value, row.taken_on) for row in rows]
    if case.anc_per_mm3 is not None and case.anc_date is not None:
        labs.append(Lab(LabKind.ANC, float(case.anc_per_mm3), case.anc_date))
    return labs


def case_urgency(case: Case) -> Urgency | None:
    assessment = case.latest_assessment
    return Urgency(assessment.urgency) if assessment and assessment.urgency else None


def safe_surgery(case: Case, *, today: date | None = None,
                 episodes: list[Episode] | None = None,
                 labs: list[Lab] | None = None) -> SafeSurgeryDate:
    """§10's earliest safe date of elective surgery for the case as it is now."""
    return earliest_safe_surgery(
        episodes=case_episodes(case) if episodes is None else episodes,
        labs=case_labs(case) if labs is None else labs,
        today=today or timezone.localdate(), urgency=case_urgency(case),
        planned_surgery_date=case.planned_surgery_date,
    )


def surgery_date(case: Case, events: list[PhaseEvent] | None = None) -> date | None:
    """The date of the operation: the case's (latest) move into the surgery phase, else the
    planned date once the case is pre-operative or later. ``events``: the case's phase events,
    when the caller has them."""
    if events is None:
        events = list(case.phase_events.filter(to_phase=Phase.SURGERY))
    moves = [event.at for event in events if event.to_phase == Phase.SURGERY]
    if moves:
        return timezone.localdate(max(moves))
    if case.phase in (Phase.PRE_OPERATIVE, Phase.SURGERY, Phase.POST_OPERATIVE):
        return case.planned_surgery_date
    return None


@dataclass
class LabSeries:
    kind: str
    label: str
    unit: str
    rows: list[LabValue]
    trend: str
    points: str = ""  # the sparkline's polyline points (viewBox 0 0 120 30)
    latest: LabValue | None = None


@dataclass
class PlanView:
    """A radiotherapy plan with §16's flags: the window after separation surgery, and
    denosumab during spinal radiotherapy."""

    plan: RadiotherapyPlan
    flags: tuple[RadiotherapyFlag, ...]
    warnings: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return any(flag.severity.value != "info" for flag in self.flags) or bool(self.warnings)


def plan_view(plan: RadiotherapyPlan, episodes: list[Episode]) -> PlanView:
    flags: tuple[RadiotherapyFlag, ...] = ()
    if plan.surgery_date is not None:
        flags = radiotherapy_window(surgery_date=plan.surgery_date,
                                    planned_start=plan.planned_start,
                                    actual_start=plan.actual_start)
    start = plan.actual_start or plan.planned_start
    end = plan.actual_end or plan.planned_end
    return PlanView(plan, flags, denosumab_with_radiotherapy(episodes, start=start, end=end))


@dataclass
class SystemicPicture:
    """What the case page shows of systemic therapy (§10, §16)."""

    episodes: list[SystemicTherapyEpisode]
    labs: list[LabSeries]
    safe: SafeSurgeryDate
    surgery_date: date | None
    resume: tuple[ResumeItem, ...] = ()
    plans: list[PlanView] = field(default_factory=list)


SPARK_WIDTH, SPARK_HEIGHT = 120, 30


def sparkline(values: list[float]) -> str:
    """Polyline points of a small trend line, scaled to the series' own range."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (value - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for i, value in enumerate(values))


def lab_series(rows: list[LabValue]) -> list[LabSeries]:
    out = []
    for kind in LabKind:
        series = sorted((row for row in rows if row.kind == kind),
                        key=lambda row: (row.taken_on, row.pk))
        if not series:
            continue
        values = [row.value for row in series]
        out.append(LabSeries(kind.value, LAB_KIND_LABELS[kind], LAB_UNITS[kind], series,
                             lab_trend(values), sparkline(values), series[-1]))
    return out


def systemic_picture(case: Case, *, today: date | None = None,
                     events: list[PhaseEvent] | None = None) -> SystemicPicture:
    """Episodes with holds, laboratory trends, the earliest safe date and the resumption after
    surgery, the radiotherapy plans with their flags (4 queries when ``events``, the case's phase
    events, are given)."""
    rows = list(case.therapy_episodes.prefetch_related("holds").select_related("recorded_by"))
    lab_rows = list(case.lab_values.all())
    episodes = case_episodes(case, rows)
    safe = safe_surgery(case, today=today, episodes=episodes, labs=case_labs(case, lab_rows))
    operated = surgery_date(case, events)
    resume = resume_after_surgery(episodes, operated) if operated else ()
    plans = [plan_view(plan, episodes)
             for plan in case.radiotherapy_plans.select_related("planned_by")]
    return SystemicPicture(rows, lab_series(lab_rows), safe, operated, resume, plans)


def systemic_snapshot(case: Case, *, today: date | None = None) -> dict[str, Any]:
    """What the meeting packet reads: the episodes and the earliest safe date, as JSON (the
    episodes, their holds and the laboratory values prefetched by the caller)."""
    rows = list(case.therapy_episodes.all())
    episodes = case_episodes(case, rows)
    safe = safe_surgery(case, today=today, episodes=episodes,
                        labs=case_labs(case, list(case.lab_values.all())))
    return {
        "episodes": [
            {"therapy_class": row.therapy_class, "drug": row.drug,
             "started_on": row.started_on.isoformat(),
             "stopped_on": row.stopped_on.isoformat() if row.stopped_on else None,
             "holds": [{"from": h.held_from.isoformat(),
                        "to": h.held_to.isoformat() if h.held_to else None,
                        "reason": h.reason} for h in row.holds.all()]}
            for row in rows
        ],
        "safe_surgery": safe.to_dict(),
    }
