"""Every write of the cases app: one function per state change, called by pages, API and demo.

Each one is atomic, validates with ``full_clean()``, writes its audit row (and, for a phase move,
its event row) in the same transaction, and takes the actor. Errors a person can fix are
``ValidationError`` keyed by field; a refused phase move is ``PhaseMoveForbidden`` (HTTP 409) and a
stale version ``VersionConflict`` (HTTP 409). Writes need the ``change_case`` object permission
(the breast and spine teams of the case and its oncologists); others get ``PermissionDenied``.

Hook for the referral pathway: ``lesion_create``, ``lesion_imaging_add`` and
``assessment_create`` are the only write paths for what fires referral triggers; each ends with
``referrals.triggers.referral_triggers_evaluate`` inside its transaction, so a referral commits
with the lesion that fired it (its alerts are enqueued on commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scoring.calculators import LEVELS, ScoringInputError, evaluate_request, format_levels
from tumorboard.errors import Conflict
from tumorboard.models import Team, User
from tumorboard.roles import Role

from . import audit, signals, timeline
from .access import case_can_change
from .evaluation import case_evaluation_request, case_field_errors, derive_subtype
from .models import (
    Assessment,
    AuditAction,
    AuditOutcome,
    Case,
    DutyTick,
    FollowUpVisit,
    LesionImaging,
    Patient,
    PhaseEvent,
    SpinalLesion,
)
from .models.lesion import validate_levels

#: Roles that open patients and cases: the two surgical specialties (DESIGN.md, Who uses it).
CASE_OPENING_ROLES = (Role.BREAST_ONCOSURGEON, Role.NEUROSURGEON)
ONCOLOGIST_ROLES = (Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST)

#: Case fields a person edits (the rest is kept by the services).
CASE_CLINICAL_FIELDS = (
    "primary_status", "er", "pr", "her2", "ki67",
    "cdk46_inhibitor", "bone_modifying_agent", "bone_agent_last_dose", "anc_per_mm3", "anc_date",
    "planned_surgery_date", "kps", "ecog", "frankel", "asia", "neurological_deficit",
    "new_or_progressive_back_pain", "new_patient", "ambulatory", "albumin_g_dl",
    "extraspinal_bone_metastases", "vertebral_metastases", "visceral_metastases",
)  # fmt: skip
CASE_TEAM_FIELDS = ("breast_team", "spine_team", "mdt_team")
IMAGING_FIELDS = (
    "imaging_date", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "bilsky",
    "progressed_after_radiation",
)  # fmt: skip


class VersionConflict(Conflict):
    """The case changed since the client read it (optimistic concurrency)."""

    def __init__(self, *, current: int) -> None:
        self.current = current
        super().__init__(f"stale version: the case is now at version {current}")

    def payload(self) -> dict[str, object]:
        return {"detail": "the case changed since you read it: read it again",
                "current_version": self.current}


class LesionLabelTaken(Conflict):
    """A lesion with this label was added to the case at the same moment (a lost race)."""

    def __init__(self, *, lesion_id: int | None) -> None:
        self.lesion_id = lesion_id
        super().__init__("a lesion with this label was just added to this case")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "lesion": self.lesion_id}


class PhaseMoveForbidden(Conflict):
    """A move the care timeline does not allow (cases.timeline.ALLOWED_MOVES)."""

    def __init__(self, *, from_phase: str, to_phase: str) -> None:
        self.from_phase, self.to_phase = from_phase, to_phase
        self.allowed = [phase.value for phase in timeline.allowed_moves(from_phase)]
        super().__init__(f"cannot move from {from_phase} to {to_phase}")

    def payload(self) -> dict[str, object]:
        return {"detail": "the care timeline does not allow this move",
                "from_phase": self.from_phase, "to_phase": self.to_phase,
                "allowed_moves": self.allowed}


# --- helpers ------------------------------------------------------------------------------------


def _require_change(actor: User, case: Case) -> None:
    if not case_can_change(user=actor, case=case):
        audit.record(actor=actor, action=AuditAction.UPDATE, case=case, object_type="case",
                     object_id=case.pk, outcome=AuditOutcome.FORBIDDEN)
        raise PermissionDenied("your role on this case does not allow changes")


def _locked(case: Case) -> Case:
    """The case row locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _touch(case: Case, actor: User) -> None:
    """A change to the case or anything in it: new version, new ``updated_at`` (REST polling)."""
    case.version += 1
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()


def _history_user(obj: Any, actor: User) -> None:
    obj._history_user = actor


# --- patients -----------------------------------------------------------------------------------


@transaction.atomic
def patient_create(
    *, mrn: str, given_name: str, family_name: str, birth_date: date, sex: str, actor: User
) -> Patient:
    if actor.role not in CASE_OPENING_ROLES:
        raise PermissionDenied("only a breast oncosurgeon or a neurosurgeon registers patients")
    if actor.institution_id is None:
        raise ValidationError({"mrn": "your account has no institution: ask an administrator"})
    mrn = mrn.strip()
    if Patient.objects.filter(institution_id=actor.institution_id, mrn=mrn).exists():
        # No value in the message: it may reach a log line.
        raise ValidationError({"mrn": "a patient with this MRN already exists in your institution"})
    patient = Patient(
        institution_id=actor.institution_id, mrn=mrn, given_name=given_name.strip(),
        family_name=family_name.strip(), birth_date=birth_date, sex=sex, created_by=actor,
    )  # fmt: skip
    patient.full_clean()
    _history_user(patient, actor)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:  # a concurrent registration of the same MRN
        raise ValidationError(
            {"mrn": "a patient with this MRN already exists in your institution"}
        ) from None
    audit.record(actor=actor, action=AuditAction.CREATE, obj=patient)
    return patient


# --- cases --------------------------------------------------------------------------------------


def _check_care_team(
    actor: User, breast_team: Team | None, spine_team: Team | None, oncologists: Iterable[User]
) -> None:
    errors: dict[str, str] = {}
    teams = [team for team in (breast_team, spine_team) if team is not None]
    if teams and not any(team.memberships.filter(user=actor).exists() for team in teams):
        # Otherwise the creator would lose sight of the case at once.
        errors["breast_team" if breast_team else "spine_team"] = (
            "you must be a member of the case's breast team or spine team"
        )
    bad = [user.pk for user in oncologists if user.role not in ONCOLOGIST_ROLES]
    if bad:
        errors["oncologists"] = "only radiation and medical oncologists are added here"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_create(
    *,
    patient: Patient,
    actor: User,
    phase: str = timeline.Phase.INITIAL_DIAGNOSIS,
    reason: str = "",
    oncologists: Iterable[User] = (),
    **fields: Any,
) -> Case:
    """Open a case in a start phase (cases.timeline.START_PHASES), with its first phase event and
    the object permissions of its care team."""
    if actor.role not in CASE_OPENING_ROLES:
        raise PermissionDenied("only a breast oncosurgeon or a neurosurgeon opens cases")
    unknown = set(fields) - set(CASE_CLINICAL_FIELDS) - set(CASE_TEAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    if phase not in timeline.START_PHASES:
        raise ValidationError(
            {"phase": f"a case starts in {' or '.join(p.value for p in timeline.START_PHASES)}"}
        )
    oncologists = list(oncologists)
    case = Case(patient=patient, phase=phase, created_by=actor, **fields)
    case.full_clean(exclude=["subtype"])
    _check_care_team(actor, case.breast_team, case.spine_team, oncologists)
    _set_subtype(case)
    _history_user(case, actor)
    case.save()
    case.oncologists.set(oncologists)
    event = PhaseEvent.objects.create(
        case=case, from_phase="", to_phase=phase, actor=actor,
        reason=reason or "Case opened.", timeline_version=timeline.TIMELINE_VERSION,
    )  # fmt: skip
    case.current_event = event
    case.save(update_fields=["current_event"])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=case, case=case,
                 detail={"breast_team": case.breast_team_id, "spine_team": case.spine_team_id,
                         "mdt_team": case.mdt_team_id})
    return case


def _set_subtype(case: Case) -> None:
    try:
        case.subtype = derive_subtype(case).value
    except ScoringInputError as error:
        raise ValidationError(case_field_errors(error, [])) from None


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: User,
    expected_version: int | None,
    oncologists: Iterable[User] | None = None,
    **fields: Any,
) -> Case:
    """Change the clinical picture or the care team. ``expected_version`` is the version the
    client read; a stale one raises ``VersionConflict`` and changes nothing. The phase moves only
    through ``case_transition``."""
    _require_change(actor, case)
    unknown = set(fields) - set(CASE_CLINICAL_FIELDS) - set(CASE_TEAM_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed here"))
    case = _locked(case)
    if expected_version is not None and expected_version != case.version:
        raise VersionConflict(current=case.version)
    before = {name: getattr(case, f"{name}_id" if name in CASE_TEAM_FIELDS else name)
              for name in fields}
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean(exclude=["subtype"])
    new_oncologists = list(oncologists) if oncologists is not None else None
    team_changed = any(name in fields for name in ("breast_team", "spine_team"))
    if team_changed or new_oncologists is not None:
        _check_care_team(actor, case.breast_team, case.spine_team, new_oncologists or [])
    if team_changed:
        _guard_team_change(case, before)
    _set_subtype(case)
    _touch(case, actor)
    if new_oncologists is not None:
        case.oncologists.set(new_oncologists)
    changed = sorted(
        name for name in fields
        if before[name] != getattr(case, f"{name}_id" if name in CASE_TEAM_FIELDS else name)
    )  # fmt: skip
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=case, case=case,
                 detail={"fields": changed, "version": case.version})
    return case


#: Checks a higher app registers on a change of a case's breast or spine team (referrals: no
#: open referral may lose its team). Each gets (case, field, old team id) and raises a
#: ``Conflict`` to refuse the change; nothing is saved then.
TeamChangeGuard = Callable[[Case, str, int], None]
_TEAM_CHANGE_GUARDS: dict[str, TeamChangeGuard] = {}


def register_team_change_guard(name: str, guard: TeamChangeGuard) -> None:
    _TEAM_CHANGE_GUARDS[name] = guard


def team_change_guards() -> dict[str, TeamChangeGuard]:
    return dict(_TEAM_CHANGE_GUARDS)


def _guard_team_change(case: Case, before: dict[str, Any]) -> None:
    for name in ("breast_team", "spine_team"):
        old = before.get(name)
        if name in before and old is not None and old != getattr(case, f"{name}_id"):
            for guard in _TEAM_CHANGE_GUARDS.values():
                guard(case, name, old)


@transaction.atomic
def case_transition(*, case: Case, to_phase: str, reason: str, actor: User) -> PhaseEvent:
    """Move the case along the care timeline (cases.timeline.ALLOWED_MOVES), writing the event
    row (who, when, from, to, why) in the same transaction."""
    _require_change(actor, case)
    if to_phase not in timeline.Phase.values:
        raise ValidationError({"to_phase": f"unknown phase {to_phase[:40]!r}"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the case moves"})
    case = _locked(case)
    if not timeline.is_allowed(case.phase, to_phase):
        raise PhaseMoveForbidden(from_phase=case.phase, to_phase=to_phase)
    event = PhaseEvent(
        case=case, from_phase=case.phase, to_phase=to_phase, actor=actor, reason=reason,
        timeline_version=timeline.TIMELINE_VERSION,
    )  # fmt: skip
    event.full_clean()
    event.save()
    case.phase = to_phase
    case.current_event = event
    _touch(case, actor)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=event, case=case,
                 detail={"from": event.from_phase, "to": to_phase})
    return event


# --- checklist ----------------------------------------------------------------------------------


@transaction.atomic
def duty_tick(
    *, case: Case, event: PhaseEvent, duty_code: str, actor: User, note: str = ""
) -> DutyTick:
    """Tick one S2 Table 4 duty of one stay in a phase. A duty is ticked by its own specialty."""
    _require_change(actor, case)
    if event.case_id != case.pk:
        raise ValidationError({"event": "not an event of this case"})
    item = timeline.duty(event.to_phase, duty_code)
    if item is None:
        raise ValidationError({"duty_code": "not a duty of this phase"})
    if actor.role != item.specialty:
        raise ValidationError({"duty_code": f"a duty of the {item.specialty.label.lower()}"})
    if DutyTick.objects.filter(event=event, duty_code=duty_code).exists():
        raise ValidationError({"duty_code": "already ticked"})
    tick = DutyTick(event=event, case=case, duty_code=duty_code, specialty=item.specialty,
                    ticked_by=actor, note=note)
    tick.full_clean()
    _history_user(tick, actor)
    tick.save()
    _touch(_locked(case), actor)
    audit.record(actor=actor, action=AuditAction.TICK, obj=tick, case=case,
                 detail={"duty": duty_code, "event": event.pk})
    return tick


@transaction.atomic
def duty_untick(*, case: Case, tick: DutyTick, actor: User) -> None:
    """Take a tick back (its row history keeps who ticked it and when)."""
    _require_change(actor, case)
    if tick.case_id != case.pk:
        raise ValidationError({"tick": "not a tick of this case"})
    if actor.role != tick.specialty:
        raise ValidationError({"duty_code": "a duty of the other specialty"})
    audit.record(actor=actor, action=AuditAction.UNTICK, obj=tick, case=case,
                 detail={"duty": tick.duty_code, "event": tick.event_id})
    _history_user(tick, actor)
    tick.delete()
    _touch(_locked(case), actor)


def _findings_changed(case: Case, actor: User) -> None:
    """Tell the apps above, in this transaction (the referral triggers, CLINICAL.md §8)."""
    signals.findings_changed.send(sender=Case, case=case, actor=actor)


# --- lesions and imaging ------------------------------------------------------------------------


def _ordered_levels(levels: Iterable[str]) -> list[str]:
    order = {str(level): index for index, level in enumerate(LEVELS)}
    return sorted(levels, key=lambda level: order.get(level, len(order)))


def _imaging(lesion: SpinalLesion, actor: User, fields: dict[str, Any]) -> LesionImaging:
    unknown = set(fields) - set(IMAGING_FIELDS)
    if unknown:
        raise TypeError(f"unknown imaging fields: {sorted(unknown)}")
    imaging = LesionImaging(lesion=lesion, recorded_by=actor, **fields)
    if lesion.pk is not None and LesionImaging.objects.filter(
        lesion=lesion, imaging_date=imaging.imaging_date
    ).exists():
        raise ValidationError({"imaging_date": "this lesion already has a study on that date"})
    imaging.full_clean(exclude=["lesion"] if lesion.pk is None else None)
    return imaging


@transaction.atomic
def lesion_create(
    *, case: Case, levels: list[str], actor: User, label: str = "", **imaging: Any
) -> SpinalLesion:
    """A new lesion with its first imaging study."""
    _require_change(actor, case)
    errors: dict[str, Any] = {}
    lesion = SpinalLesion(case=case, levels=levels, created_by=actor, label=label.strip())
    try:
        validate_levels(levels)
    except ValidationError as error:
        errors["levels"] = error.messages
    else:
        lesion.levels = _ordered_levels(levels)
        lesion.label = lesion.label or format_levels(lesion.levels)
    if lesion.label and SpinalLesion.objects.filter(case=case, label=lesion.label).exists():
        errors["label"] = ["this case already has a lesion with this label"]
    try:
        lesion.full_clean(exclude=["levels", *(["label"] if errors else [])])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        study = _imaging(lesion, actor, imaging)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _history_user(lesion, actor)
    try:
        with transaction.atomic():  # a savepoint: the lost race below leaves the rest usable
            lesion.save()
    except IntegrityError as error:
        # Two identical POSTs at once both passed the check above; the unique constraint kept
        # one. The other is told which lesion now holds the label (409, never a 500).
        if "lesion_label_unique" not in str(error):
            raise
        existing = SpinalLesion.objects.filter(case=case, label=lesion.label).first()
        raise LesionLabelTaken(lesion_id=existing.pk if existing else None) from None
    study.lesion = lesion
    _history_user(study, actor)
    study.save()
    _touch(_locked(case), actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=lesion, case=case)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=study, case=case)
    _findings_changed(case, actor)
    return lesion


@transaction.atomic
def lesion_imaging_add(*, lesion: SpinalLesion, actor: User, **imaging: Any) -> LesionImaging:
    """Serial imaging of an existing lesion; progression is then computed from the data."""
    case = lesion.case
    _require_change(actor, case)
    study = _imaging(lesion, actor, imaging)
    _history_user(study, actor)
    study.save()
    _touch(_locked(case), actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=study, case=case,
                 detail={"lesion": lesion.pk})
    _findings_changed(case, actor)
    return study


# --- assessments --------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, case: Case, actor: User, now: datetime | None = None) -> Assessment:
    """Run every calculator on the case and its lesions' latest imaging and store the run with
    its inputs (DESIGN.md, Assessment). Missing inputs raise ``ValidationError`` naming the case
    field (``kps``, ``frankel``, ``lesions``...) and nothing is saved."""
    _require_change(actor, case)
    case = _locked(case)
    lesions = list(case.lesions.prefetch_related("imagings"))
    request = case_evaluation_request(case, lesions)
    evaluated_at = now or timezone.now()
    labels = [lesion.label for lesion in lesions if lesion.imagings.all()]
    try:
        result = evaluate_request(request, now=evaluated_at)
    except ScoringInputError as error:
        raise ValidationError(case_field_errors(error, labels)) from None
    lesion_results: list[dict[str, Any]] = result["lesions"]  # type: ignore[assignment]
    urgency = result["urgency"]
    assessment = Assessment(
        case=case,
        created_by=actor,
        evaluated_at=evaluated_at,
        rules_version=str(result["rules_version"]),
        inputs=request,
        result=result,
        subtype=str(result["subtype"]),
        max_sins=max(item["sins"]["total"] for item in lesion_results),
        max_bilsky=_max_bilsky(request["lesions"]),
        urgency=str(urgency) if urgency else "",
        pathway=str(result["noms"]["pathway"]),  # type: ignore[index]
        tokuhashi_total=int(result["tokuhashi"]["total"]),  # type: ignore[index]
        tomita_total=int(result["tomita"]["total"]),  # type: ignore[index]
    )
    assessment.full_clean()
    assessment.save()
    case.latest_assessment = assessment
    _touch(case, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=assessment, case=case,
                 detail={"rules_version": assessment.rules_version})
    _findings_changed(case, actor)
    return assessment


def _max_bilsky(lesions: list[dict[str, Any]]) -> str:
    from scoring.calculators import BILSKY_RANK, BilskyGrade

    return max((BilskyGrade(item["bilsky"]) for item in lesions), key=BILSKY_RANK.__getitem__).value


# --- outcomes -----------------------------------------------------------------------------------


@transaction.atomic
def followup_create(*, case: Case, actor: User, **fields: Any) -> FollowUpVisit:
    """One follow-up visit's outcomes (S2 §8), shared by both surgeons."""
    _require_change(actor, case)
    visit = FollowUpVisit(case=case, recorded_by=actor, **fields)
    visit.full_clean()
    _history_user(visit, actor)
    visit.save()
    _touch(_locked(case), actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=visit, case=case)
    return visit


@transaction.atomic
def case_create_with_patient(*, patient: dict[str, Any], actor: User, **case_fields: Any) -> Case:
    """Register a new patient and open their case, all or nothing; patient errors come back
    as ``patient.<field>`` (the path style of the scoring endpoint)."""
    try:
        new_patient = patient_create(actor=actor, **patient)
    except ValidationError as error:
        raise ValidationError(
            {f"patient.{name}": reasons for name, reasons in error.message_dict.items()}
        ) from None
    return case_create(patient=new_patient, actor=actor, **case_fields)
