"""Outcomes at follow-up as trend charts (CLINICAL.md §18: "the case shows each measure as a trend
over time"), as plain data that ``templates/cases/_outcome_charts.html`` draws as SVG, like
``cases.diagrams``: each chart has a title and a description for assistive technology, and the
same values as a table (the fallback).

Graded measures (Frankel, ASIA, ambulation, analgesic step) are drawn on their ordinal scale;
the others on their numeric range. Each measure says which direction is better, for the verdict
("better", "worse", "unchanged": first against last recorded value). No query: the functions
take the visits ``cases.selectors.case_detail`` loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from .models.outcome import ANALGESIC_STEP, Ambulation, Analgesics, FollowUpVisit

CHART_WIDTH: Final = 340
CHART_HEIGHT: Final = 150
PLOT_LEFT: Final = 84  # room for the y labels ("Non-ambulatory", "Strong opioid")
PLOT_RIGHT: Final = 12
PLOT_TOP: Final = 12
PLOT_BOTTOM: Final = 30  # room for the date labels
PLOT_WIDTH: Final = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
PLOT_HEIGHT: Final = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM

_GRADES = ("A", "B", "C", "D", "E")  # Frankel and ASIA: A worst, E normal


@dataclass(frozen=True)
class Measure:
    """One measure of §18: its field, label, scale (low, high), the better direction, and for a
    graded measure the grade of each step (value -> position on the scale)."""

    field: str
    label: str
    low: float
    high: float
    better: str  # "up" or "down"
    grades: tuple[tuple[str, str], ...] = ()  # (stored value, label) from low to high
    ticks: tuple[float, ...] = ()

    def position(self, value: Any) -> float | None:
        if value in (None, ""):
            return None
        if self.grades:
            codes = [code for code, _ in self.grades]
            return float(codes.index(value)) if value in codes else None
        return float(value)

    def text(self, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if self.grades:
            return dict(self.grades).get(value, str(value))
        if isinstance(value, Decimal | float):
            return f"{value:g}"
        return str(value)


#: The measures charted, in the order of the page (§18).
MEASURES: Final = (
    Measure("frankel", "Frankel grade", 0, 4, "up",
            grades=tuple((g, g) for g in _GRADES)),
    Measure("asia", "ASIA grade", 0, 4, "up", grades=tuple((g, g) for g in _GRADES)),
    Measure("ambulation", "Ambulatory status", 0, 2, "up",
            grades=((Ambulation.NON_AMBULATORY.value, "Non-ambulatory"),
                    (Ambulation.WITH_AID.value, "With aid"),
                    (Ambulation.INDEPENDENT.value, "Independent"))),
    Measure("ecog", "ECOG", 0, 5, "down", ticks=(0, 1, 2, 3, 4, 5)),
    Measure("kps", "KPS", 0, 100, "up", ticks=(0, 50, 100)),
    Measure("pain_nrs", "Pain (NRS 0-10)", 0, 10, "down", ticks=(0, 5, 10)),
    Measure("analgesics", "Analgesic use (WHO step)", 0, 3, "down",
            grades=tuple(sorted(((c.value, c.label.replace(" only", "")) for c in Analgesics),
                                key=lambda item: ANALGESIC_STEP[item[0]]))),
    Measure("qlq_c30_global", "QLQ-C30 global health (0-100)", 0, 100, "up",
            ticks=(0, 50, 100)),
    Measure("bm22_painful_sites", "BM22 painful sites (0-100)", 0, 100, "down",
            ticks=(0, 50, 100)),
    Measure("bm22_pain_characteristics", "BM22 pain characteristics (0-100)", 0, 100, "down",
            ticks=(0, 50, 100)),
    Measure("bm22_functional_interference", "BM22 functional interference (0-100)", 0, 100,
            "down", ticks=(0, 50, 100)),
    Measure("bm22_psychosocial_aspects", "BM22 psychosocial aspects (0-100)", 0, 100, "up",
            ticks=(0, 50, 100)),
    Measure("mdasi_severity", "MDASI symptom severity (0-10)", 0, 10, "down",
            ticks=(0, 5, 10)),
    Measure("mdasi_interference", "MDASI interference (0-10)", 0, 10, "down",
            ticks=(0, 5, 10)),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    on: date
    text: str


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class TrendChart:
    field: str
    title: str
    desc: str
    points: tuple[Point, ...]
    ticks: tuple[Tick, ...]
    verdict: str  # "better", "worse", "unchanged", or "" with one value
    rows: tuple[tuple[date, str], ...]  # the table fallback: every visit, "—" when not recorded

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)

    @property
    def first_date(self) -> date:
        return self.points[0].on

    @property
    def last_date(self) -> date:
        return self.points[-1].on


def x_of(on: date, first: date, last: date) -> float:
    """Position of a visit date: proportional to time between the first and the last visit;
    a single visit sits in the middle."""
    if first == last:
        return round(PLOT_LEFT + PLOT_WIDTH / 2, 1)
    return round(PLOT_LEFT + PLOT_WIDTH * (on - first).days / (last - first).days, 1)


def y_of(position: float, measure: Measure) -> float:
    """Higher values are drawn higher; the scale's low at the bottom of the plot."""
    share = (position - measure.low) / (measure.high - measure.low)
    return round(PLOT_TOP + PLOT_HEIGHT * (1 - share), 1)


def _verdict(measure: Measure, positions: Sequence[float]) -> str:
    if len(positions) < 2:
        return ""
    first, last = positions[0], positions[-1]
    if first == last:
        return "unchanged"
    return "better" if (last > first) == (measure.better == "up") else "worse"


def trend_charts(visits: Sequence[FollowUpVisit]) -> list[TrendChart]:
    """One chart per measure recorded at least once, the visits in date order (§18)."""
    ordered = sorted(visits, key=lambda visit: (visit.visit_date, visit.pk or 0))
    if not ordered:
        return []
    first, last = ordered[0].visit_date, ordered[-1].visit_date
    charts = []
    for measure in MEASURES:
        points, positions = [], []
        for visit in ordered:
            value = getattr(visit, measure.field)
            position = measure.position(value)
            if position is not None:
                positions.append(position)
                points.append(Point(x_of(visit.visit_date, first, last),
                                    y_of(position, measure), visit.visit_date,
                                    measure.text(value)))
        if not points:
            continue
        verdict = _verdict(measure, positions)
        if measure.grades:
            ticks = tuple(Tick(y_of(float(i), measure), text)
                          for i, (_, text) in enumerate(measure.grades))
        else:
            ticks = tuple(Tick(y_of(value, measure), f"{value:g}") for value in measure.ticks)
        series = ", ".join(f"{p.on:%Y-%m-%d} {p.text}" for p in points)
        better = "higher is better" if measure.better == "up" else "lower is better"
        desc = f"{measure.label} at {len(points)} visit{'s' if len(points) > 1 else ''} " \
               f"({better}): {series}." + (f" Trend: {verdict}." if verdict else "")
        charts.append(TrendChart(
            field=measure.field, title=f"{measure.label} over time", desc=desc,
            points=tuple(points), ticks=ticks, verdict=verdict,
            rows=tuple((visit.visit_date, measure.text(getattr(visit, measure.field)))
                       for visit in ordered),
        ))
    return charts
