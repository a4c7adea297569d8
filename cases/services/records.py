"""Opening and editing cases: care team, clinical fields, phase moves along the timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from scoring.calculators import ScoringInputError
from tumorboard.models import Team, User

from .. import audit, timeline
from ..evaluation import case_field_errors, derive_subtype
from ..models import (
    AuditAction,
    Case,
    Patient,
    PhaseEvent,
)
from .common import (
    CASE_CLINICAL_FIELDS,
    CASE_OPENING_ROLES,
    CASE_TEAM_FIELDS,
    ONCOLOGIST_ROLES,
    PhaseMoveForbidden,
    VersionConflict,
    history_user,
    lock_case,
    require_change,
    touch,
)
from .current import clinical_inputs_changed


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
    history_user(case, actor)
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
    require_change(actor, case)
    unknown = set(fields) - set(CASE_CLINICAL_FIELDS) - set(CASE_TEAM_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "cannot be changed here"))
    case = lock_case(case)
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
    changed = sorted(
        name for name in fields
        if before[name] != getattr(case, f"{name}_id" if name in CASE_TEAM_FIELDS else name)
    )  # fmt: skip
    if set(changed) & set(CASE_CLINICAL_FIELDS):
        # A clinical input changed: the assessment, the triggers and the referral follow it
        # in this transaction (issue 17, "the assessment is always current").
        clinical_inputs_changed(case, actor)
    else:
        touch(case, actor)
    if new_oncologists is not None:
        case.oncologists.set(new_oncologists)
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
    require_change(actor, case)
    if to_phase not in timeline.Phase.values:
        raise ValidationError({"to_phase": f"unknown phase {to_phase[:40]!r}"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the case moves"})
    case = lock_case(case)
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
    touch(case, actor)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=event, case=case,
                 detail={"from": event.from_phase, "to": to_phase})
    return event
