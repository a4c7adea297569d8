"""Systemic therapy as dated episodes, laboratory values, and radiotherapy around spinal surgery
(CLINICAL.md §10 and §16; S2 §6.3, §7 and §11). Pure functions: no Django, no app.

- ``earliest_safe_surgery`` reads §10's checks from dated episodes and laboratory values: the
  earliest date an *elective* operation is safe, with each constraint that sets it. In a red case
  (acute ESCC needing emergency surgery) the same constraints are information, never a block.
- ``resume_after_surgery`` says, for each episode running at the surgery date, when it resumes
  (§16: CDK4/6 inhibitors, chemotherapy and antibody-drug conjugates once the wound has healed,
  14 to 28 days; endocrine therapy and anti-HER2 therapy may continue; a bone-modifying agent
  resumes after wound healing).
- ``radiotherapy_window`` places a radiotherapy start after separation surgery in §16's window
  (``RADIOTHERAPY_AFTER_SURGERY``), and ``denosumab_with_radiotherapy`` warns of vertebral
  osteonecrosis when denosumab runs during spinal radiotherapy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from .enums import Severity, Urgency

SYSTEMIC_POLICY_VERSION: Final = "v1"
SYSTEMIC_REFERENCE: Final = "S2 §6.3, §7 and §11; CLINICAL.md §10 and §16"


class TherapyClass(StrEnum):
    """The classes of systemic therapy of CLINICAL.md §16."""

    ENDOCRINE = "endocrine"
    CDK46_INHIBITOR = "cdk46_inhibitor"
    ANTI_HER2 = "anti_her2"
    CHEMOTHERAPY = "chemotherapy"
    ADC = "adc"  # antibody-drug conjugate
    IMMUNOTHERAPY = "immunotherapy"
    BONE_MODIFYING_AGENT = "bone_modifying_agent"


class LabKind(StrEnum):
    """The dated laboratory values of §16 (ANC, platelets, haemoglobin) and the tumour markers
    followed with them (CA 15-3, CEA, alkaline phosphatase; §8's work-up)."""

    ANC = "anc"
    PLATELETS = "platelets"
    HAEMOGLOBIN = "haemoglobin"
    CA15_3 = "ca15_3"
    CEA = "cea"
    ALP = "alp"


#: The unit each laboratory value is recorded in (one unit per kind, so a trend compares alike).
LAB_UNITS: Final[dict[LabKind, str]] = {
    LabKind.ANC: "/mm³",
    LabKind.PLATELETS: "10^9/L",
    LabKind.HAEMOGLOBIN: "g/dL",
    LabKind.CA15_3: "U/mL",
    LabKind.CEA: "ng/mL",
    LabKind.ALP: "U/L",
}


class SafetyCode(StrEnum):
    ANC_NOT_RECORDED = "anc_not_recorded"
    ANC_AT_OR_BELOW_1500 = "anc_at_or_below_1500"
    ANC_ABOVE_1500 = "anc_above_1500"
    CDK46_RUNNING = "cdk46_running"
    BONE_AGENT_PAUSE = "bone_agent_pause"
    EMERGENCY_OVERRIDE = "emergency_override"
    PLANNED_BEFORE_SAFE = "planned_before_safe"


#: §10 (service policy v1): the thresholds the earliest safe date is computed from.
#: Elective surgery needs an ANC that *exceeds* 1,500/mm³; a bone-modifying agent pauses at least
#: 4 weeks (28 days) before instrumented surgery (4-6 weeks; a last dose under 4 weeks before the
#: planned date is warned about).
SAFE_SURGERY_POLICY: Final = {
    "version": SYSTEMIC_POLICY_VERSION,
    "anc_min_exclusive_per_mm3": 1500,
    "bone_agent_min_pause_days": 28,
    "myelosuppressive_classes": (TherapyClass.CDK46_INHIBITOR,),
    "reference": SYSTEMIC_REFERENCE,
}
ANC_MIN_EXCLUSIVE: Final = 1500
BONE_AGENT_MIN_PAUSE: Final = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class Hold:
    """A pause of an episode: from ``start`` to ``end`` inclusive (``end`` None: still held)."""

    start: date
    end: date | None = None
    reason: str = ""

    def covers(self, day: date) -> bool:
        """The drug is paused on ``day``: the one test of a hold, for the calculators and for
        the case page's "held since" (``cases.models.SystemicTherapyEpisode.hold_in_force``)."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Episode:
    """One dated episode of one drug. ``last_dose_on`` is the date of the last dose given when
    it is known (a bone-modifying agent given every 4 weeks); otherwise the last dose is taken
    to be the day before a hold starts, or the stop date."""

    therapy_class: TherapyClass
    drug: str
    started_on: date
    stopped_on: date | None = None
    holds: tuple[Hold, ...] = ()
    last_dose_on: date | None = None

    def running_on(self, day: date) -> bool:
        """Given on ``day``: started, not stopped, not held."""
        if day < self.started_on or (self.stopped_on is not None and day > self.stopped_on):
            return False
        return not any(hold.covers(day) for hold in self.holds)

    def active_on(self, day: date) -> bool:
        """Part of the treatment on ``day`` (started, not stopped), held or not."""
        return self.started_on <= day and (self.stopped_on is None or day <= self.stopped_on)

    def last_dose(self, today: date) -> date | None:
        """The last dose given by ``today`` (§10's bone-agent interval runs from it); None when
        dosing continues (the pause has not begun)."""
        if self.last_dose_on is not None:
            return self.last_dose_on
        if self.stopped_on is not None and self.stopped_on <= today:
            return self.stopped_on
        for hold in sorted(self.holds, key=lambda h: h.start, reverse=True):
            if hold.covers(today):
                return hold.start - timedelta(days=1)
        return None


@dataclass(frozen=True, slots=True)
class Lab:
    kind: LabKind
    value: float
    taken_on: date


@dataclass(frozen=True, slots=True)
class SafetyConstraint:
    """One §10 constraint: from ``not_before`` on it allows elective surgery; None: not known
    yet (a count above 1,500/mm³ is still to come, or no count is recorded)."""

    code: SafetyCode
    severity: Severity
    message: str
    not_before: date | None

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code.value, "severity": self.severity.value,
                "message": self.message,
                "not_before": self.not_before.isoformat() if self.not_before else None}


@dataclass(frozen=True, slots=True)
class SafeSurgeryDate:
    """The earliest date elective spinal surgery is safe (None: not known yet, see the
    constraints), the constraints that set it, and whether the emergency override applies."""

    earliest: date | None
    constraints: tuple[SafetyConstraint, ...]
    emergency: bool = False
    reference: str = SYSTEMIC_REFERENCE

    @property
    def blocked(self) -> bool:
        return any(c.severity is Severity.BLOCK for c in self.constraints)

    def to_dict(self) -> dict[str, object]:
        return {"earliest": self.earliest.isoformat() if self.earliest else None,
                "emergency": self.emergency, "blocked": self.blocked,
                "constraints": [c.to_dict() for c in self.constraints],
                "reference": self.reference}


def latest_lab(labs: Iterable[Lab], kind: LabKind) -> Lab | None:
    found = [lab for lab in labs if lab.kind == kind]
    return max(found, key=lambda lab: lab.taken_on) if found else None


def earliest_safe_surgery(
    *,
    episodes: Sequence[Episode],
    labs: Sequence[Lab],
    today: date,
    urgency: Urgency | None = None,
    planned_surgery_date: date | None = None,
) -> SafeSurgeryDate:
    """The earliest safe date of elective spinal surgery from §10's checks (see the module).

    - ANC: the latest count must exceed 1,500/mm³; a count at or below it blocks until a new
      count exceeds it (no date yet); no count recorded: no date yet.
    - A bone-modifying agent: 28 days after its last dose (dosing that continues: 28 days from
      today, once paused).
    - A CDK4/6 inhibitor given now is flagged (myelosuppressive: the ANC decides).
    - Red urgency: the emergency override; every constraint is information, the date is today.
    """
    constraints: list[SafetyConstraint] = []
    anc = latest_lab(labs, LabKind.ANC)
    if anc is None:
        constraints.append(SafetyConstraint(
            SafetyCode.ANC_NOT_RECORDED, Severity.BLOCK,
            "No neutrophil count recorded: elective spinal surgery waits for a count above "
            "1,500/mm³.", None))
    elif anc.value <= ANC_MIN_EXCLUSIVE:
        constraints.append(SafetyConstraint(
            SafetyCode.ANC_AT_OR_BELOW_1500, Severity.BLOCK,
            f"Neutrophil count {anc.value:g}/mm³ on {anc.taken_on.isoformat()}: elective spinal "
            "surgery waits until a count exceeds 1,500/mm³.", None))
    else:
        constraints.append(SafetyConstraint(
            SafetyCode.ANC_ABOVE_1500, Severity.INFO,
            f"Neutrophil count {anc.value:g}/mm³ on {anc.taken_on.isoformat()} exceeds "
            "1,500/mm³.", anc.taken_on))
    for episode in episodes:
        if episode.therapy_class is TherapyClass.CDK46_INHIBITOR and episode.running_on(today):
            constraints.append(SafetyConstraint(
                SafetyCode.CDK46_RUNNING, Severity.WARNING,
                f"{episode.drug} (CDK4/6 inhibitor) is given now: myelosuppressive, check the "
                "neutrophil count before elective surgery.", None if anc is None else anc.taken_on))
        if (episode.therapy_class is TherapyClass.BONE_MODIFYING_AGENT
                and episode.started_on <= today):
            last = episode.last_dose(today)
            start = last if last is not None else today
            not_before = start + BONE_AGENT_MIN_PAUSE
            if not episode.active_on(today) and not_before <= today:
                continue  # stopped long enough ago: nothing to say
            given = (f"last dose {last.isoformat()}" if last is not None
                     else "still given (pause it)")
            constraints.append(SafetyConstraint(
                SafetyCode.BONE_AGENT_PAUSE,
                Severity.WARNING if not_before > today else Severity.INFO,
                f"{episode.drug} (bone-modifying agent), {given}: pause at least 4 weeks before "
                f"instrumented surgery, so not before {not_before.isoformat()}.", not_before))
    emergency = urgency is Urgency.RED
    if any(c.not_before is None and c.severity is Severity.BLOCK for c in constraints):
        earliest: date | None = None
    else:
        dates = [c.not_before for c in constraints if c.not_before is not None]
        earliest = max([today, *dates])
    if (planned_surgery_date is not None and earliest is not None
            and planned_surgery_date < earliest):
        constraints.append(SafetyConstraint(
            SafetyCode.PLANNED_BEFORE_SAFE, Severity.WARNING,
            f"The planned date {planned_surgery_date.isoformat()} is before the earliest safe "
            f"date {earliest.isoformat()}.", earliest))
    if emergency:
        constraints = [
            SafetyConstraint(SafetyCode.EMERGENCY_OVERRIDE, Severity.INFO,
                             "Red urgency: in acute ESCC needing emergency surgery no "
                             "systemic-therapy contraindication justifies delay; the checks "
                             "below are information, not blocks.", today),
            *(SafetyConstraint(c.code, Severity.INFO, f"{c.message} (Emergency: information "
                               "only.)", c.not_before) for c in constraints),
        ]
    return SafeSurgeryDate(earliest=earliest, constraints=tuple(constraints), emergency=emergency)


# --- after surgery (§16) ------------------------------------------------------------------------

#: §16 (service policy v1): wound healing, "usually 14 to 28 days" after surgery.
WOUND_HEALING_DAYS: Final = (14, 28)


class ResumeAction(StrEnum):
    RESUME_AFTER_HEALING = "resume_after_healing"
    MAY_CONTINUE = "may_continue"
    MDT_DECIDES = "mdt_decides"


#: What each class does after surgery (§16). Immunotherapy is not named in §16: the MDT decides.
RESUME_AFTER_SURGERY: Final[dict[TherapyClass, ResumeAction]] = {
    TherapyClass.CDK46_INHIBITOR: ResumeAction.RESUME_AFTER_HEALING,
    TherapyClass.CHEMOTHERAPY: ResumeAction.RESUME_AFTER_HEALING,
    TherapyClass.ADC: ResumeAction.RESUME_AFTER_HEALING,
    TherapyClass.BONE_MODIFYING_AGENT: ResumeAction.RESUME_AFTER_HEALING,
    TherapyClass.ENDOCRINE: ResumeAction.MAY_CONTINUE,
    TherapyClass.ANTI_HER2: ResumeAction.MAY_CONTINUE,
    TherapyClass.IMMUNOTHERAPY: ResumeAction.MDT_DECIDES,
}


@dataclass(frozen=True, slots=True)
class ResumeItem:
    """One episode's resumption after surgery: due between ``earliest`` and ``latest`` (both
    None when it may continue or the MDT decides)."""

    therapy_class: TherapyClass
    drug: str
    action: ResumeAction
    earliest: date | None
    latest: date | None
    message: str = field(default="")

    def to_dict(self) -> dict[str, str | None]:
        return {"therapy_class": self.therapy_class.value, "drug": self.drug,
                "action": self.action.value, "message": self.message,
                "earliest": self.earliest.isoformat() if self.earliest else None,
                "latest": self.latest.isoformat() if self.latest else None}


def resume_after_surgery(episodes: Sequence[Episode], surgery_date: date) -> tuple[ResumeItem, ...]:
    """For each episode that is part of the treatment at ``surgery_date`` (started by then, not
    stopped before it), what happens after the operation (§16): resume once the wound has healed
    (14 to 28 days after surgery), may continue, or the MDT decides."""
    items: list[ResumeItem] = []
    low, high = WOUND_HEALING_DAYS
    for episode in episodes:
        if not episode.active_on(surgery_date):
            continue
        action = RESUME_AFTER_SURGERY[episode.therapy_class]
        if action is ResumeAction.RESUME_AFTER_HEALING:
            earliest = surgery_date + timedelta(days=low)
            latest = surgery_date + timedelta(days=high)
            message = (f"Resume {episode.drug} once the wound has healed: "
                       f"{earliest.isoformat()} to {latest.isoformat()}.")
            items.append(ResumeItem(episode.therapy_class, episode.drug, action, earliest,
                                    latest, message))
        elif action is ResumeAction.MAY_CONTINUE:
            items.append(ResumeItem(episode.therapy_class, episode.drug, action, None, None,
                                    f"{episode.drug} may continue around surgery."))
        else:
            items.append(ResumeItem(episode.therapy_class, episode.drug, action, None, None,
                                    f"{episode.drug}: resumption after surgery is an MDT "
                                    "decision."))
    return tuple(items)


# --- radiotherapy after separation surgery (§16) ------------------------------------------------


class RadiotherapyTiming(StrEnum):
    BEFORE_WOUND_HEALING = "before_wound_healing"
    IN_WINDOW = "in_window"
    AFTER_WINDOW = "after_window"
    LATE = "late"


#: §16, service policy v1: planned start 14 to 28 days after surgery; a start later than 35 days
#: is flagged. Rows are (first day, last day or None, timing, severity).
RADIOTHERAPY_AFTER_SURGERY: Final = {
    "version": SYSTEMIC_POLICY_VERSION,
    "planned_start_days": (14, 28),
    "flag_after_days": 35,
    "reference": "S2 §7; CLINICAL.md §16",
}
_RT_ROWS: Final = (
    (None, 13, RadiotherapyTiming.BEFORE_WOUND_HEALING, Severity.WARNING,
     "before the wound has healed (under 14 days)"),
    (14, 28, RadiotherapyTiming.IN_WINDOW, Severity.INFO, "within the 14-28 day window"),
    (29, 35, RadiotherapyTiming.AFTER_WINDOW, Severity.WARNING,
     "after the 14-28 day window"),
    (36, None, RadiotherapyTiming.LATE, Severity.BLOCK, "later than 35 days: flagged"),
)


@dataclass(frozen=True, slots=True)
class RadiotherapyFlag:
    which: str  # "planned" or "actual"
    days: int
    timing: RadiotherapyTiming
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"which": self.which, "days": self.days, "timing": self.timing.value,
                "severity": self.severity.value, "message": self.message}


def radiotherapy_timing(days_after_surgery: int) -> tuple[RadiotherapyTiming, Severity, str]:
    """Where a start ``days_after_surgery`` days after separation surgery falls (§16)."""
    for low, high, timing, severity, words in _RT_ROWS:
        if (low is None or days_after_surgery >= low) and (high is None
                                                           or days_after_surgery <= high):
            return timing, severity, words
    raise AssertionError("the rows cover every integer")  # pragma: no cover


def radiotherapy_window(
    *, surgery_date: date, planned_start: date | None = None, actual_start: date | None = None
) -> tuple[RadiotherapyFlag, ...]:
    """The flags of a radiotherapy plan after separation surgery (§16), for the planned and the
    actual start when given."""
    flags = []
    for which, start in (("planned", planned_start), ("actual", actual_start)):
        if start is None:
            continue
        days = (start - surgery_date).days
        timing, severity, words = radiotherapy_timing(days)
        flags.append(RadiotherapyFlag(which, days, timing, severity,
                                      f"{which.capitalize()} start {start.isoformat()} is {days} "
                                      f"days after surgery: {words}."))
    return tuple(flags)


def denosumab_with_radiotherapy(
    episodes: Sequence[Episode], *, start: date, end: date | None
) -> tuple[str, ...]:
    """Warnings for each denosumab episode running during spinal radiotherapy from ``start`` to
    ``end`` (or ``start`` alone): vertebral osteonecrosis (S2 §7, CLINICAL.md §16)."""
    last = end if end is not None and end >= start else start
    warnings = []
    for episode in episodes:
        if (episode.therapy_class is not TherapyClass.BONE_MODIFYING_AGENT
                or "denosumab" not in episode.drug.lower()):
            continue
        overlaps = episode.started_on <= last and (episode.stopped_on is None
                                                   or episode.stopped_on >= start)
        if overlaps:
            warnings.append(f"{episode.drug} during spinal radiotherapy "
                            f"({start.isoformat()} to {last.isoformat()}): risk of vertebral "
                            "osteonecrosis.")
    return tuple(warnings)


# --- trends ------------------------------------------------------------------------------------


def lab_trend(values: Sequence[float]) -> str:
    """The direction of the last change of a series: "up", "down", "same", or "" (one value)."""
    if len(values) < 2:
        return ""
    if values[-1] > values[-2]:
        return "up"
    if values[-1] < values[-2]:
        return "down"
    return "same"
