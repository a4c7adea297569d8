"""FOLLOW_THROUGH_POLICY v1: the tasks that carry out a finalized MDT decision (CLINICAL.md §15,
service policy v1; windows after surgery from §16), and the phase the decision moves the case to.

A clinical judgment call, so a named, versioned table (tests/followthrough/test_policy.py checks
it against §15 row by row). Bump ``POLICY_VERSION`` whenever a row changes; each task stores the
version it was planned under.

How the table is read:

- "any surgical pathway" is ``separation_surgery_srs``, ``en_bloc_resection``, or any pathway
  decided with stabilisation (a biopsy comes first: its decision gets the biopsy task alone).
- Windows "by urgency" take the decision's urgency; a decision without one is elective (green).
- "Before the surgery date" and "after surgery" use ``Case.planned_surgery_date`` when known; until
  then the surgery is reckoned at the due time of "surgery booked" (the latest the booking is
  due), so no task is ever left without a due time.
- §15 names no owner for the restaging and surveillance MRI: the decision's responsible
  clinician orders them. "Systemic therapy resumed" goes to the medical oncologist, else the
  breast oncosurgeon (§15). Without surgery, §16's window does not apply: it is due 14 days
  after the radiotherapy's due time (service policy v1).
- Radiotherapy after separation surgery is due 28 days after surgery (§16: start 14 to 28 days
  after surgery, once the wound has healed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from django.db import models

from scoring.calculators import NomsPathway

POLICY_VERSION: Final = "follow-through v1"

#: The owner rule "the decision's responsible clinician" (CLINICAL.md §15).
RESPONSIBLE: Final = "responsible"

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
THREE_MONTHS = dt.timedelta(days=90)


class TaskKind(models.TextChoices):
    SURGERY_BOOKED = "surgery_booked", "Surgery booked"
    PREOP_CHECKS = "preop_checks", "Pre-operative checks cleared"
    RADIATION_REFERRAL = "radiation_referral", "Radiation oncology referral"
    RADIOTHERAPY_STARTED = "radiotherapy_started", "Radiotherapy planned and started"
    SYSTEMIC_RESUMED = "systemic_resumed", "Systemic therapy resumed"
    RESTAGING_MRI = "restaging_mri", "Restaging MRI of the treated level"
    SYSTEMIC_REVIEWED = "systemic_reviewed", "Systemic therapy and bone-modifying agent reviewed"
    SURVEILLANCE_MRI = "surveillance_mri", "Surveillance MRI"
    PALLIATIVE_REFERRAL = "palliative_referral", "Palliative care referral"
    BIOPSY_DONE = "biopsy_done", "Biopsy done, histology and receptors recorded"


@dataclass(frozen=True)
class Due:
    """When a task is due. ``anchor`` is what the offset counts from:

    - ``decision``: the decision time, ``offset`` or, when ``by_urgency`` is given, the window
      of the decision's urgency (red, orange, green);
    - ``surgery``: the (planned or reckoned) surgery date, ``offset`` after it (negative: before);
    - a task kind: that task's due time, ``offset`` after it;
    - ``last_treatment``: the latest due time of the surgery and radiotherapy tasks."""

    anchor: str = "decision"
    offset: dt.timedelta = dt.timedelta(0)
    by_urgency: Mapping[str, dt.timedelta] | None = None


@dataclass(frozen=True)
class TaskRule:
    kind: TaskKind
    #: The roles that may own the task, in order of preference, or ``(RESPONSIBLE,)``.
    owner: tuple[str, ...]
    due: Due


SURGERY_WINDOW = MappingProxyType({"red": 24 * HOUR, "orange": 72 * HOUR, "green": 14 * DAY})
BIOPSY_WINDOW = MappingProxyType({"red": 72 * HOUR, "orange": 14 * DAY, "green": 14 * DAY})

SURGICAL_PATHWAYS: Final = frozenset({NomsPathway.SEPARATION_SURGERY_SRS,
                                      NomsPathway.EN_BLOC_RESECTION})
RADIOTHERAPY_PATHWAYS: Final = frozenset({NomsPathway.SEPARATION_SURGERY_SRS, NomsPathway.SRS,
                                          NomsPathway.CEBRT})

_SURGERY_BOOKED = TaskRule(TaskKind.SURGERY_BOOKED, ("neurosurgeon",),
                           Due(by_urgency=SURGERY_WINDOW))
_PREOP = TaskRule(TaskKind.PREOP_CHECKS, ("neurosurgeon",), Due("surgery"))
_RADIATION_REFERRAL = TaskRule(TaskKind.RADIATION_REFERRAL, ("neurosurgeon",),
                               Due("surgery", 7 * DAY))
_RT_BY_URGENCY = TaskRule(TaskKind.RADIOTHERAPY_STARTED, ("radiation_oncologist",),
                          Due(by_urgency=SURGERY_WINDOW))
_RT_AFTER_SURGERY = TaskRule(TaskKind.RADIOTHERAPY_STARTED, ("radiation_oncologist",),
                             Due("surgery", 28 * DAY))
_SYSTEMIC_AFTER_SURGERY = TaskRule(TaskKind.SYSTEMIC_RESUMED,
                                   ("medical_oncologist", "breast_oncosurgeon"),
                                   Due("surgery", 28 * DAY))
_SYSTEMIC_AFTER_RT = TaskRule(TaskKind.SYSTEMIC_RESUMED,
                              ("medical_oncologist", "breast_oncosurgeon"),
                              Due(TaskKind.RADIOTHERAPY_STARTED, 14 * DAY))
_RESTAGING = TaskRule(TaskKind.RESTAGING_MRI, (RESPONSIBLE,), Due("last_treatment", THREE_MONTHS))

#: The table of CLINICAL.md §15, by pathway, for a decision without stabilisation. A decision
#: with stabilisation adds the surgical rows (``plan``).
FOLLOW_THROUGH_POLICY: Final[Mapping[str, tuple[TaskRule, ...]]] = MappingProxyType({
    NomsPathway.SEPARATION_SURGERY_SRS: (
        _SURGERY_BOOKED, _PREOP, _RADIATION_REFERRAL, _RT_AFTER_SURGERY,
        _SYSTEMIC_AFTER_SURGERY, _RESTAGING),
    NomsPathway.EN_BLOC_RESECTION: (
        _SURGERY_BOOKED, _PREOP, _SYSTEMIC_AFTER_SURGERY, _RESTAGING),
    NomsPathway.SRS: (_RT_BY_URGENCY, _SYSTEMIC_AFTER_RT, _RESTAGING),
    NomsPathway.CEBRT: (_RT_BY_URGENCY, _SYSTEMIC_AFTER_RT, _RESTAGING),
    NomsPathway.SYSTEMIC_THERAPY_OBSERVATION: (
        TaskRule(TaskKind.SYSTEMIC_REVIEWED, ("medical_oncologist",), Due(offset=14 * DAY)),
        TaskRule(TaskKind.SURVEILLANCE_MRI, (RESPONSIBLE,), Due(offset=THREE_MONTHS)),
    ),
    NomsPathway.PALLIATIVE_CARE: (
        TaskRule(TaskKind.PALLIATIVE_REFERRAL, (RESPONSIBLE,), Due(offset=7 * DAY)),
    ),
    NomsPathway.BIOPSY: (
        TaskRule(TaskKind.BIOPSY_DONE, ("neurosurgeon",), Due(by_urgency=BIOPSY_WINDOW)),
    ),
})

#: The phase a finalized decision moves the case to (cases.timeline): a surgical plan goes to
#: pre-operative, a non-surgical one to surveillance (S2 §7); a biopsy keeps the case at the
#: MDT, to which it returns with the histology (§15).
NEXT_PHASE: Final[Mapping[str, str | None]] = MappingProxyType({
    NomsPathway.SEPARATION_SURGERY_SRS: "pre_operative",
    NomsPathway.EN_BLOC_RESECTION: "pre_operative",
    NomsPathway.SRS: "surveillance",
    NomsPathway.CEBRT: "surveillance",
    NomsPathway.SYSTEMIC_THERAPY_OBSERVATION: "surveillance",
    NomsPathway.PALLIATIVE_CARE: "surveillance",
    NomsPathway.BIOPSY: None,
})


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    owner: tuple[str, ...]
    due_at: dt.datetime


def is_surgical(pathway: str, stabilisation: bool) -> bool:
    return pathway in SURGICAL_PATHWAYS or stabilisation


def next_phase(pathway: str, stabilisation: bool) -> str | None:
    """The phase the decision moves the case to (``NEXT_PHASE``; stabilisation is surgery)."""
    if stabilisation and pathway != NomsPathway.BIOPSY:
        return "pre_operative"
    return NEXT_PHASE[pathway]


def rules_for(pathway: str, stabilisation: bool) -> tuple[TaskRule, ...]:
    """The rows of the table for a decision; stabilisation adds the surgical rows, and
    radiotherapy and systemic therapy then follow the surgery (§15, §16)."""
    rules = FOLLOW_THROUGH_POLICY[pathway]
    if not stabilisation or pathway in SURGICAL_PATHWAYS or pathway == NomsPathway.BIOPSY:
        return rules
    if pathway in (NomsPathway.SRS, NomsPathway.CEBRT):
        return (_SURGERY_BOOKED, _PREOP, _RADIATION_REFERRAL, _RT_AFTER_SURGERY,
                _SYSTEMIC_AFTER_SURGERY, _RESTAGING)
    return (_SURGERY_BOOKED, _PREOP, *rules)


def _start_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)


def plan(*, pathway: str, stabilisation: bool, urgency: str, decided_at: dt.datetime,
         surgery_date: dt.date | None, tz: dt.tzinfo = dt.UTC) -> list[PlannedTask]:
    """The tasks of one decision with their owner rule and due time (module docstring)."""
    rules = rules_for(pathway, stabilisation)
    window = urgency if urgency in SURGERY_WINDOW else "green"
    due: dict[str, dt.datetime] = {}

    def surgery() -> dt.datetime:
        if surgery_date is not None:
            return _start_of_day(surgery_date, tz)
        return decided_at + SURGERY_WINDOW[window]

    planned = []
    for rule in rules:
        spec = rule.due
        if spec.anchor == "decision":
            offset = spec.by_urgency[window] if spec.by_urgency is not None else spec.offset
            at = decided_at + offset
        elif spec.anchor == "surgery":
            at = surgery() + spec.offset
        elif spec.anchor == "last_treatment":
            treated = [due[k] for k in (TaskKind.SURGERY_BOOKED, TaskKind.RADIOTHERAPY_STARTED)
                       if k in due]
            if TaskKind.SURGERY_BOOKED in due:
                treated.append(surgery())
            at = max(treated, default=decided_at) + spec.offset
        else:
            at = due[spec.anchor] + spec.offset
        # A task is never due before the decision (a surgery date already past, say).
        at = max(at, decided_at)
        due[rule.kind] = at
        planned.append(PlannedTask(kind=rule.kind.value, owner=rule.owner, due_at=at))
    return planned
