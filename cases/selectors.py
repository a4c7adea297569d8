"""Every read of the cases app. ``case_list_visible_to`` and ``visible_case_condition`` are THE
visibility rule, defined in ``cases.access``: every page, endpoint, export and PDF starts from
them (STYLE.md rule 2); an outsider gets 404, never 403."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.query import ValuesListIterable
from django.http import Http404

from scoring.calculators import evaluate_request
from tumorboard.lookups import as_id, one_by_pk
from tumorboard.models import User
from tumorboard.roles import may_see_patients

from . import audit, timeline
from .access import case_list_visible_to
from .evaluation import lesion_progression, preoperative_timing_checks
from .models import (
    Assessment,
    AuditAction,
    Case,
    DutyTick,
    FollowUpVisit,
    LesionImaging,
    Patient,
    PhaseEvent,
    SpinalLesion,
)


def case_get_visible(*, user: User, case_id: object, record: bool = True,
                     teams: bool = True) -> Case:
    """One case the user may see, or ``Http404`` (also for a case that does not exist).

    Records the read in the audit trail (``record=False`` for a write, whose service records it);
    an attempt on an invisible case is recorded as denied. ``teams=False``: without its teams'
    rows (an answer that gives their ids only).
    """
    pk = as_id(case_id)
    related = ["patient", "latest_assessment", "current_event"]
    if teams:
        related += ["breast_team", "spine_team", "mdt_team"]
    case = one_by_pk(case_list_visible_to(user=user).select_related(*related), pk)
    if case is None:
        audit.record_denied(actor=user, case_id=pk)
        raise Http404("No such case.")
    if record:
        audit.record_case_read(actor=user, case=case)
    return case


def patient_list_visible_to(*, user: User) -> QuerySet[Patient]:
    """Patients with a case the user sees, and those the user registered (before their case)."""
    visible = case_list_visible_to(user=user)
    if not may_see_patients(user):
        return Patient.objects.none()
    # A correlated EXISTS (the patient's cases probed by their index), not IN over every case
    # the person sees: the FHIR search by MRN took 440 ms at 100k cases (issue 22).
    return Patient.objects.filter(
        Q(Exists(visible.filter(patient_id=OuterRef("pk")))) | Q(created_by=user))


def patient_get_visible(*, user: User, patient_id: object) -> Patient:
    patient = one_by_pk(patient_list_visible_to(user=user), as_id(patient_id))
    if patient is None:
        raise Http404("No such patient.")
    return patient


@dataclass
class PatientOffer:
    """An already registered patient offered on the registration page, with the cases of
    theirs that the person sees (links), so that no one opens a second record."""

    patient: Patient
    cases: list[Case]


def patient_offer(*, user: User, patient_id: int | None) -> PatientOffer | None:
    """The patient holding an MRN, when ``user`` may see them (``patient_list_visible_to``);
    else None. The read is audited as any read of a patient."""
    patient = one_by_pk(patient_list_visible_to(user=user), patient_id or None)
    if patient is None:
        return None
    cases = list(case_list_visible_to(user=user).filter(patient=patient).order_by("pk"))
    audit.record(actor=user, action=AuditAction.VIEW, object_type="patient",
                 object_id=patient.pk, patient_id=patient.pk)
    return PatientOffer(patient, cases)


def patients_without_case(*, user: User, query: str, limit: int = 20) -> list[Patient]:
    """The visible patients with no case yet whose MRN starts with, or whose names contain,
    every word of ``query`` (the case search, for those it cannot find). Empty query: none."""
    words = query.split()
    if not words:
        return []
    patients = patient_list_visible_to(user=user).filter(cases__isnull=True)
    for word in words:
        patients = patients.filter(Q(mrn__istartswith=word) | Q(family_name__icontains=word)
                                   | Q(given_name__icontains=word))
    found = list(patients.order_by("family_name", "given_name", "pk")[:limit])
    if found:
        audit.record(actor=user, action=AuditAction.LIST, object_type="patient_list",
                     detail={"patients": [patient.pk for patient in found]})
    return found


#: What a case list shows (the case table, the list API, the homes), and nothing else, as plain
#: values: a case row has some forty columns and its assessment's JSON, and reading, converting
#: and holding them was half of a list's fetch; three model instances a row (case, patient,
#: assessment) were another millisecond of a page of 50 (bench/RESULTS.md, issue 22).
LIST_COLUMNS = (
    "id", "primary_status", "subtype", "phase", "breast_team_id", "spine_team_id", "version",
    "updated_at", "current_event_id",
    "patient_id", "patient__mrn", "patient__given_name", "patient__family_name",
    "patient__birth_date", "patient__sex",
    "latest_assessment_id", "latest_assessment__max_sins", "latest_assessment__max_bilsky",
    "latest_assessment__urgency",
)


@dataclass(slots=True)
class ListedPatient:
    """The patient of a listed case: what a list shows of them."""

    pk: int
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str


@dataclass(slots=True)
class ListedScores:
    """The scores a list shows of a case's current assessment."""

    max_sins: int | None
    max_bilsky: str
    urgency: str


@dataclass(slots=True)
class CaseListRow:
    """One case of a list, with the names a ``Case`` gives them (``case.patient.mrn``,
    ``case.latest_assessment.max_sins``, ``case.urgency``), so that the case table, the list
    API and the homes read a row as they read a case."""

    pk: int
    primary_status: str
    subtype: str
    phase: str
    breast_team_id: int | None
    spine_team_id: int | None
    version: int
    updated_at: datetime
    current_event_id: int | None
    patient: ListedPatient
    latest_assessment: ListedScores | None

    @property
    def id(self) -> int:
        return self.pk

    @property
    def patient_id(self) -> int:
        return self.patient.pk

    @property
    def urgency(self) -> str | None:
        return self.latest_assessment.urgency if self.latest_assessment is not None else None


class _CaseListRows(ValuesListIterable):
    """``LIST_COLUMNS`` of each case, as a ``CaseListRow``."""

    def __iter__(self) -> Iterator[CaseListRow]:
        for (pk, primary_status, subtype, phase, breast_team_id, spine_team_id, version,
             updated_at, current_event_id, patient_id, mrn, given_name, family_name, birth_date,
             sex, assessment_id, max_sins, max_bilsky, urgency) in super().__iter__():
            yield CaseListRow(
                pk, primary_status, subtype, phase, breast_team_id, spine_team_id, version,
                updated_at, current_event_id,
                ListedPatient(patient_id, mrn, given_name, family_name, birth_date, sex),
                None if assessment_id is None else ListedScores(max_sins, max_bilsky, urgency))


def case_list_for_display(*, user: User) -> QuerySet[Case, CaseListRow]:
    """The visible cases with what a list shows (patient, phase, latest SINS, urgency), in one
    query, each a ``CaseListRow``; ``case_next_steps`` adds each row's next step. It filters,
    counts and pages as any queryset of cases."""
    rows = (case_list_visible_to(user=user).values_list(*LIST_COLUMNS)
            .order_by("-updated_at", "-pk"))
    # As ``values_list(named=True)`` does with its own iterable: the queryset's clones (filters,
    # slices, the pagers') keep it. A field a row does not hold is an AttributeError, never a
    # query a row.
    rows._iterable_class = _CaseListRows
    return rows


#: ``Specialty.values`` builds its list on every call; a list asks once a row.
_SPECIALTIES = frozenset(timeline.Specialty.values)


#: A case as a list reads it: a whole ``Case`` or a ``CaseListRow``.
ListedCase = TypeVar("ListedCase", bound="Case | CaseListRow")


def case_next_steps(cases: Iterable[ListedCase], role: str) -> list[tuple[ListedCase, str]]:
    """Each case with the next step a person of ``role`` sees in a list: the first open S2
    Table 4 duty of their specialty in the current phase, else the timeline's next move.

    One query for any number of cases (the duties ticked in their current phase stays, as
    plain values: a prefetch of tick rows cost a list more than its own query; bench/RESULTS.md,
    issue 22)."""
    cases = list(cases)
    done: dict[int | None, set[str]] = defaultdict(set)
    events = [case.current_event_id for case in cases if case.current_event_id is not None]
    if events:
        for event_id, code in DutyTick.objects.filter(event_id__in=events).values_list(
                "event_id", "duty_code"):
            done[event_id].add(code)
    specialty = role if role in _SPECIALTIES else None
    return [(case, _next_step(case.phase, done[case.current_event_id], specialty))
            for case in cases]


def _next_step(phase: str, done: set[str], specialty: str | None) -> str:
    duty = timeline.next_open_duty(phase, done, specialty)
    if duty is not None:
        return duty.label
    moves = timeline.allowed_moves(phase)
    if not moves:
        return "Nothing open"
    return "Move to " + " or ".join(move.label.lower() for move in moves)


# --- the case page ------------------------------------------------------------------------------


@dataclass
class LesionView:
    lesion: SpinalLesion
    imagings: list[LesionImaging]
    progressed_within_6_weeks: bool
    progression_changes: tuple[str, ...]
    sins: dict[str, Any] | None = None  # from the latest assessment, when it scored this lesion

    @property
    def latest(self) -> LesionImaging | None:
        return self.imagings[-1] if self.imagings else None


@dataclass
class ChecklistItem:
    duty: timeline.Duty
    tick: DutyTick | None


@dataclass
class PhaseStay:
    event: PhaseEvent
    checklist: list[ChecklistItem]


@dataclass
class CaseDetail:
    case: Case
    lesions: list[LesionView]
    allowed_moves: list[timeline.Phase]
    timing_checks: list[dict[str, str]] = field(default_factory=list)
    # Filled by case_detail (the page) only; case_status (the endpoint) leaves them empty.
    stays: list[PhaseStay] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    followups: list[FollowUpVisit] = field(default_factory=list)
    # Filled by the parts the apps above register (register_case_status_part).
    open_referrals: list[Any] = field(default_factory=list)
    referrals: Any = ()  # every referral, open and past (a queryset: the page reads it)
    next_meeting: Any = None
    last_decision: Any = None
    decisions: list[Any] = field(default_factory=list)


#: Parts of the case status that the apps above own (referrals: the open referrals; meetings: the
#: next meeting and the decisions), registered from their ``AppConfig.ready``: the layers of
#: DESIGN.md keep this module from importing them.
CaseStatusPart = Callable[[CaseDetail], None]
_STATUS_PARTS: dict[str, CaseStatusPart] = {}


def register_case_status_part(name: str, part: CaseStatusPart) -> None:
    _STATUS_PARTS[name] = part


def case_status_parts() -> dict[str, CaseStatusPart]:
    return dict(_STATUS_PARTS)


def case_status_part(name: str, case: Case) -> CaseDetail:
    """One registered part alone, on an otherwise empty status (the lesion form tells the
    clinician which referral its write just raised)."""
    detail = CaseDetail(case=case, lesions=[], allowed_moves=[])
    part = _STATUS_PARTS.get(name)
    if part is not None:
        part(detail)
    return detail


def lesion_views(lesions: list[SpinalLesion], assessment: Assessment | None) -> list[LesionView]:
    scored: dict[tuple[str, ...], dict[str, Any]] = {}
    if assessment is not None:
        for item in assessment.result.get("lesions", []):
            scored[tuple(item["levels"])] = item["sins"]
    views = []
    for lesion in lesions:
        imagings = list(lesion.imagings.all())
        progressed, changes = lesion_progression(imagings)
        views.append(LesionView(lesion, imagings, progressed, changes,
                                scored.get(tuple(lesion.levels))))
    return views


def case_status(*, case: Case, with_recorders: bool = False) -> CaseDetail:
    """What the detail endpoint shows (``CaseDetailSerializer``), for one case already visible:
    lesions with their studies, open referrals, next meeting and decisions, in 4 queries
    whatever the number of rows. The endpoint gives recorders as ids, so their user rows are
    joined only ``with_recorders`` (the page shows their names)."""
    imagings = LesionImaging.objects.all()
    if with_recorders:
        imagings = imagings.select_related("recorded_by")
    lesions = list(case.lesions.prefetch_related(Prefetch("imagings", queryset=imagings)))
    detail = CaseDetail(
        case=case,
        lesions=lesion_views(lesions, case.latest_assessment),
        allowed_moves=timeline.allowed_moves(case.phase),
    )
    for part in _STATUS_PARTS.values():
        part(detail)
    # CLINICAL.md §10 surgical-timing checks from pre-operative on (issue: "entering pre-operative
    # shows the surgical-timing checks").
    if case.phase == timeline.Phase.PRE_OPERATIVE:
        detail.timing_checks = preoperative_timing_checks(case)
    return detail


def case_detail(*, case: Case) -> CaseDetail:
    """Everything the case page shows: ``case_status`` with the recorders' names, plus the phase
    stays, assessments and follow-up visits (4 more queries, whatever the number of rows)."""
    detail = case_status(case=case, with_recorders=True)
    detail.stays = case_timeline(case=case)
    # The table shows the summary columns, never the stored JSON (~5 kB a row to decode).
    detail.assessments = list(case.assessments.select_related("created_by")
                              .defer("inputs", "result")[:20])
    detail.followups = list(case.followups.select_related("recorded_by"))
    return detail


def case_timeline(*, case: Case) -> list[PhaseStay]:
    """Every phase stay of the case with its S2 Table 4 checklist, the actor and the ticks'
    authors loaded with their rows (2 queries)."""
    ticks = DutyTick.objects.select_related("ticked_by")
    events = case.phase_events.select_related("actor").prefetch_related(
        Prefetch("ticks", queryset=ticks))
    stays = []
    for event in events:
        done = {tick.duty_code: tick for tick in event.ticks.all()}
        stays.append(PhaseStay(event, [ChecklistItem(duty, done.get(duty.code))
                                       for duty in timeline.duties(event.to_phase)]))
    return stays


def assessment_reproduce(assessment: Assessment) -> dict[str, object]:
    """Run the stored inputs again at the stored reference time: equal to ``result`` as long as
    ``rules_version`` is unchanged (DESIGN.md: a score shown at an MDT can be reproduced)."""
    return evaluate_request(assessment.inputs, now=assessment.evaluated_at)


# --- history ------------------------------------------------------------------------------------


@dataclass
class CaseSnapshot:
    at: datetime
    case: Any  # the historical Case row (django-simple-history) valid at ``at``
    patient: Any
    lesions: list[tuple[Any, list[Any]]]  # (historical lesion, its historical imaging rows)
    phase_events: list[PhaseEvent]
    latest_assessment: Assessment | None
    changes: list[Any]  # every historical Case row up to ``at``, newest first


def case_as_of(*, case: Case, at: datetime) -> CaseSnapshot | None:
    """The case as it was at ``at``: its fields, patient, lesions with their imaging, phase and
    latest assessment then. ``None`` when the case did not exist yet."""
    try:
        case_then = case.history.as_of(at)
    except Case.DoesNotExist:
        return None
    try:
        patient_then = case.patient.history.as_of(at)
    except Patient.DoesNotExist:
        patient_then = None
    lesions_then = list(SpinalLesion.history.as_of(at).filter(case_id=case.pk).order_by("pk"))
    imagings_then = list(
        LesionImaging.history.as_of(at)
        .filter(lesion_id__in=[lesion.pk for lesion in lesions_then])
        .order_by("imaging_date", "pk")
    )
    lesions = [
        (lesion, [row for row in imagings_then if row.lesion_id == lesion.pk])
        for lesion in lesions_then
    ]
    return CaseSnapshot(
        at=at,
        case=case_then,
        patient=patient_then,
        lesions=lesions,
        phase_events=list(case.phase_events.filter(at__lte=at).select_related("actor")),
        latest_assessment=case.assessments.filter(evaluated_at__lte=at).first(),
        changes=list(
            case.history.filter(history_date__lte=at).select_related("history_user")[:50]
        ),
    )


def user_specialty(user: User) -> str | None:
    return user.role if user.role in timeline.Specialty.values else None


# --- outcomes -----------------------------------------------------------------------------------

#: Measures shown as a trend on the case page (S2 §8), with the direction that is better.
TREND_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("frankel", "Frankel grade", "up"),
    ("kps", "KPS", "up"),
    ("ecog", "ECOG", "down"),
    ("pain_nrs", "Pain (NRS)", "down"),
    ("qlq_c30_global", "QLQ-C30 global health", "up"),
    ("bm22_painful_sites", "BM22 painful sites", "down"),
    ("bm22_functional_interference", "BM22 functional interference", "down"),
)


@dataclass
class Trend:
    label: str
    values: list[Any]
    verdict: str  # "better", "worse", "unchanged" or "" (fewer than two values)


def outcome_trend(visits: list[FollowUpVisit]) -> list[Trend]:
    """First to last recorded value of each measure across the visits, in date order."""
    trends = []
    for name, label, better in TREND_MEASURES:
        values = [getattr(visit, name) for visit in visits]
        known = [value for value in values if value not in (None, "")]
        verdict = ""
        if len(known) >= 2:
            first, last = known[0], known[-1]
            if first == last:
                verdict = "unchanged"
            else:
                verdict = "better" if (last > first) == (better == "up") else "worse"
        trends.append(Trend(label, values, verdict))
    return trends
