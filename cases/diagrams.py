"""The two pictures of the case page, as plain data that a template draws as SVG.

- ``timeline_diagram``: the seven phases left to right (DESIGN.md, Care timeline), each marked done,
  current, skipped or still to come, with when and by whom it was entered.
- ``spine_diagram``: a column of the levels C0 to S5 (CLINICAL.md §1) with each lesion's latest
  SINS and Bilsky, coloured by the urgency that lesion alone carries (CLINICAL.md §9, through
  ``scoring.calculators.urgency``: the rule lives there, not here).

No drawing decision needs the database: the functions take what ``cases.selectors.case_detail``
already loaded, so the page runs no extra query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from scoring.calculators import (
    LEVELS,
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    MolecularSubtype,
    Pain,
    Posterolateral,
    SpinalLevel,
    TriggerCode,
    sins,
    urgency,
)
from scoring.calculators.bilsky import bilsky as bilsky_result
from scoring.calculators.triggers import SINS_REFERRAL_THRESHOLD

from .evaluation import carried_bilsky
from .timeline import Phase

# --- the care timeline --------------------------------------------------------------------------

PHASE_WIDTH = 150  # SVG user units per phase box, gap included
PHASE_BOX = 136  # the drawn box; the rest of PHASE_WIDTH is the arrow to the next one
PHASE_MARGIN = 2  # the box's inset from its slot, so that its stroke is not clipped
SHORT_LABELS = {
    Phase.INITIAL_DIAGNOSIS: ("Initial", "diagnosis"),
    Phase.SPINE_METASTASIS_DETECTION: ("Spine metastasis", "detection"),
    Phase.MDT_TUMOR_BOARD: ("MDT", "tumor board"),
    Phase.PRE_OPERATIVE: ("Pre-operative", ""),
    Phase.SURGERY: ("Surgery", ""),
    Phase.POST_OPERATIVE: ("Post-operative", ""),
    Phase.SURVEILLANCE: ("Surveillance", ""),
}


@dataclass(frozen=True)
class PhaseBox:
    phase: Phase
    x: int
    lines: tuple[str, str]
    state: str  # "done", "current", "skipped" or "upcoming"
    entered_at: datetime | None  # the latest entry into the phase
    entered_by: str
    entries: int  # how many times the case entered it (re-entry after progression)

    # The geometry templates/cases/_timeline_svg.html draws with, from the constants above.
    box_left: ClassVar[int] = PHASE_MARGIN
    box_width: ClassVar[int] = PHASE_BOX
    box_right: ClassVar[int] = PHASE_MARGIN + PHASE_BOX
    box_centre: ClassVar[int] = PHASE_MARGIN + PHASE_BOX // 2
    pitch: ClassVar[int] = PHASE_WIDTH

    @property
    def state_text(self) -> str:
        return {"done": "done", "current": "current phase", "skipped": "skipped",
                "upcoming": "not reached"}[self.state]


def timeline_diagram(events: Iterable[Any], current: str) -> list[PhaseBox]:
    """One box per phase in timeline order. ``events`` are the case's phase events (objects with
    ``to_phase``, ``at`` and ``actor``) in time order; ``current`` is the case's phase.

    A phase never entered is "skipped" when a later phase was entered (the non-surgical pathway
    goes from the MDT straight to surveillance), else "upcoming"."""
    latest: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for event in events:
        latest[event.to_phase] = event
        counts[event.to_phase] = counts.get(event.to_phase, 0) + 1
    order = list(Phase)
    furthest = max((order.index(Phase(p)) for p in latest), default=-1)
    boxes = []
    for index, phase in enumerate(order):
        event = latest.get(phase.value)
        if phase.value == current:
            state = "current"
        elif event is not None:
            state = "done"
        elif index < furthest:
            state = "skipped"
        else:
            state = "upcoming"
        actor = getattr(event, "actor", None) if event is not None else None
        boxes.append(PhaseBox(
            phase=phase, x=index * PHASE_WIDTH, lines=SHORT_LABELS[phase], state=state,
            entered_at=event.at if event is not None else None,
            entered_by=actor.display_name if actor is not None else "",
            entries=counts.get(phase.value, 0),
        ))  # fmt: skip
    return boxes


TIMELINE_VIEWBOX_WIDTH = PHASE_WIDTH * len(Phase)

# --- the spine ----------------------------------------------------------------------------------

LEVEL_HEIGHT = 14  # SVG user units per level
SPINE_TOP = 8
LEVEL_NAMES: tuple[str, ...] = tuple(str(level) for level in LEVELS)
SPINE_VIEWBOX_HEIGHT = SPINE_TOP * 2 + LEVEL_HEIGHT * len(LEVEL_NAMES)


@dataclass(frozen=True)
class LevelRow:
    name: str
    y: int
    region: str  # "cervical", "thoracic", "lumbar", "sacral": the vertebra's shade
    labelled: bool  # every level that starts a region, every fifth, and every lesion level


@dataclass(frozen=True)
class LesionMark:
    label: str
    levels: tuple[str, ...]
    y: int  # top of the mark
    height: int
    sins_total: int | None
    sins_band: str
    sins_from_study: bool  # computed from the latest study, no assessment has stored it yet
    bilsky: str
    urgency: str  # "red", "orange", "green" or "" (no trigger from this lesion)

    @property
    def urgency_text(self) -> str:
        return self.urgency or "no trigger"

    @property
    def summary(self) -> str:
        sins = f"SINS {self.sins_total} ({self.sins_band})" if self.sins_total is not None \
            else "not scored"
        bilsky = f"Bilsky {self.bilsky}" if self.bilsky else "Bilsky not recorded"
        return f"{self.label}: {sins}, {bilsky}, urgency {self.urgency_text}"


@dataclass(frozen=True)
class SpineDiagram:
    levels: list[LevelRow]
    marks: list[LesionMark]
    height: int = SPINE_VIEWBOX_HEIGHT


_REGIONS = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}


def _y(name: str) -> int:
    return SPINE_TOP + LEVEL_NAMES.index(name) * LEVEL_HEIGHT


def lesion_urgency(*, sins_total: int | None, bilsky: str, subtype: str | None) -> str:
    """The urgency colour this lesion alone carries: its own §8 triggers (SINS 7 or more,
    epidural extension) through the §9 urgency rule. Case-wide triggers (a neurological deficit,
    an occult primary) colour the case, not the lesion."""
    codes = set()
    try:
        grade = BilskyGrade(bilsky) if bilsky else None
        if sins_total is not None and sins_total >= SINS_REFERRAL_THRESHOLD:
            codes.add(TriggerCode.SINS_7_OR_MORE)
        if grade is not None and bilsky_result(grade=grade).epidural_extension:
            codes.add(TriggerCode.EPIDURAL_EXTENSION)
        level = urgency(trigger_codes=codes, max_bilsky=grade, max_sins=sins_total,
                        subtype=MolecularSubtype(subtype) if subtype else None).level
    except ValueError:  # an unknown grade or subtype: show the lesion, uncoloured
        return ""
    return level.value if level is not None else ""


def latest_study_sins(levels: list[str], study: Any) -> dict[str, Any]:
    """SINS of the lesion's latest study when no assessment has scored it yet (a lesion just
    recorded): the same calculator the assessment runs (CLINICAL.md §1), nothing stored."""
    if study is None:
        return {}
    try:
        result = sins(levels=[SpinalLevel(level) for level in levels], pain=Pain(study.pain),
                      bone_lesion=BoneLesion(study.bone_lesion),
                      alignment=Alignment(study.alignment), collapse=Collapse(study.collapse),
                      posterolateral=Posterolateral(study.posterolateral))
    except ValueError:  # an input the calculator refuses: shown as not scored
        return {}
    return {"total": result.total, "band": str(result.band), "from_study": True}


def spine_diagram(lesions: Sequence[Any], *, subtype: str | None = None) -> SpineDiagram:
    """The level column and one mark per lesion. ``lesions`` are ``cases.selectors.LesionView``
    items (``lesion.levels``, ``lesion.label``, ``latest`` imaging, ``sins`` from the latest
    assessment); levels the calculators do not know are left out of the drawing."""
    marked = {level for item in lesions for level in item.lesion.levels}
    rows = []
    previous_region = ""
    for index, name in enumerate(LEVEL_NAMES):
        region = _REGIONS[name[0]]
        rows.append(LevelRow(name, _y(name), region,
                             region != previous_region or index % 5 == 0 or name in marked))
        previous_region = region
    marks = []
    for item in lesions:
        known = [level for level in item.lesion.levels if level in LEVEL_NAMES]
        if not known:
            continue
        top, bottom = min(map(_y, known)), max(map(_y, known))
        latest = item.latest
        sins = item.sins or latest_study_sins(known, latest)
        # A study that cannot grade Bilsky (a CT) shows the grade of the last MRI.
        grade = ((latest.bilsky or carried_bilsky(item.imagings)[-1]) if latest is not None
                 else "")
        total = sins.get("total")
        marks.append(LesionMark(
            label=item.lesion.label, levels=tuple(known), y=top, height=bottom - top + LEVEL_HEIGHT,
            sins_total=total, sins_band=sins.get("band", ""),
            sins_from_study=bool(sins.get("from_study")), bilsky=grade,
            urgency=lesion_urgency(sins_total=total, bilsky=grade, subtype=subtype),
        ))  # fmt: skip
    return SpineDiagram(rows, marks)
