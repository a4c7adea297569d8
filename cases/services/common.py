"""What every write of the cases app shares: the editable fields, the conflicts a person
can meet (HTTP 409), the change check, the row lock and the new version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from tumorboard.errors import Conflict
from tumorboard.models import User
from tumorboard.roles import Role
from tumorboard.services import locked

from .. import audit, signals, timeline
from ..access import case_can_change
from ..models import (
    AuditAction,
    AuditOutcome,
    Case,
)

#: Roles that open patients and cases: the two surgical specialties (DESIGN.md, Who uses it).
CASE_OPENING_ROLES = (Role.BREAST_ONCOSURGEON, Role.NEUROSURGEON)
ONCOLOGIST_ROLES = (Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST)

#: Case fields a person edits (the rest is kept by the services).
CASE_CLINICAL_FIELDS = (
    "primary_status", "er", "pr", "her2", "ki67",
    "cdk46_inhibitor", "bone_modifying_agent", "bone_agent_last_dose", "anc_per_mm3", "anc_date",
    "planned_surgery_date", "kps", "ecog", "frankel", "asia", "neurological_deficit",
    "deficit_onset_at", "deficit_onset_unknown",
    "new_or_progressive_back_pain", "new_patient", "ambulatory", "albumin_g_dl",
    "extraspinal_bone_metastases", "vertebral_metastases", "visceral_metastases",
)  # fmt: skip
CASE_TEAM_FIELDS = ("breast_team", "spine_team", "mdt_team")
IMAGING_FIELDS = (
    "imaging_date", "modality", "pain", "bone_lesion", "alignment", "collapse", "posterolateral",
    "bilsky", "progressed_after_radiation",
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





def require_change(actor: User, case: Case) -> None:
    if not case_can_change(user=actor, case=case):
        audit.record(actor=actor, action=AuditAction.UPDATE, case=case, object_type="case",
                     object_id=case.pk, outcome=AuditOutcome.FORBIDDEN)
        raise PermissionDenied("your role on this case does not allow changes")


def lock_case(case: Case) -> Case:
    """The case row locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    return locked(Case.objects, case.pk)


def touch(case: Case, actor: User) -> None:
    """A change to the case or anything in it: new version, new ``updated_at`` (REST polling)."""
    case.version += 1
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()


def history_user(obj: Any, actor: User) -> None:
    obj._history_user = actor


def announce_findings_changed(case: Case, actor: User, **extra: Any) -> None:
    """Tell the apps above, in this transaction (the referral triggers, CLINICAL.md §8);
    ``extra`` goes with the signal (``followup``: the visit that re-enters the pathway, §18)."""
    signals.findings_changed.send(sender=Case, case=case, actor=actor, **extra)
