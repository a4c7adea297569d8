"""Every write of the cases app: one function per state change, called by pages, API and demo,
split by concept (patients, records, checklist, lesions, assessments; shared parts in common).

Each one is atomic, validates with ``full_clean()``, writes its audit row (and, for a phase move,
its event row) in the same transaction, and takes the actor. Errors a person can fix are
``ValidationError`` keyed by field; a refused phase move is ``PhaseMoveForbidden`` (HTTP 409) and a
stale version ``VersionConflict`` (HTTP 409). Writes need the change right of ``cases.access``
(the breast and spine teams of the case and its oncologists); others get ``PermissionDenied``.

The current assessment (issue 17): every write of a clinical input (``case_update`` of a clinical
field, ``lesion_create``, ``lesion_imaging_add``, ``followup_create``) ends with
``clinical_inputs_changed``: the assessment is recomputed and stored when its inputs changed
(``assessment_recompute``), then the referral pathway is told. These and ``assessment_create`` are
the only write paths for what fires referral triggers; each ends by sending
``cases.signals.findings_changed`` inside its transaction (the referrals app receives it), so a
referral commits with the lesion that fired it (its alerts are enqueued on commit).
"""

from .assessments import (
    assessment_create,
    followup_create,
)
from .checklist import (
    duties_fulfilled,
    duty_tick,
    duty_untick,
)
from .common import (
    CASE_CLINICAL_FIELDS,
    CASE_OPENING_ROLES,
    CASE_TEAM_FIELDS,
    IMAGING_FIELDS,
    ONCOLOGIST_ROLES,
    LesionLabelTaken,
    PhaseMoveForbidden,
    VersionConflict,
)
from .current import (
    assessment_recompute,
    clinical_inputs_changed,
)
from .lesions import (
    lesion_create,
    lesion_imaging_add,
)
from .patients import (
    MrnTaken,
    case_create_with_patient,
    patient_create,
)
from .records import (
    TeamChangeGuard,
    case_create,
    case_transition,
    case_update,
    register_team_change_guard,
    team_change_guards,
)
from .specialists import case_specialists, specialist_add, specialists_available
from .surgery import SURGERY_PHASES, surgery_record
from .systemic import (
    episode_create,
    episode_stop,
    hold_create,
    hold_end,
    lab_create,
    radiotherapy_plan_create,
    radiotherapy_plan_update,
)

__all__ = [
    "CASE_CLINICAL_FIELDS",
    "CASE_OPENING_ROLES",
    "CASE_TEAM_FIELDS",
    "IMAGING_FIELDS",
    "ONCOLOGIST_ROLES",
    "SURGERY_PHASES",
    "LesionLabelTaken",
    "MrnTaken",
    "PhaseMoveForbidden",
    "TeamChangeGuard",
    "VersionConflict",
    "assessment_create",
    "assessment_recompute",
    "case_create",
    "case_create_with_patient",
    "case_specialists",
    "case_transition",
    "case_update",
    "clinical_inputs_changed",
    "duties_fulfilled",
    "duty_tick",
    "duty_untick",
    "episode_create",
    "episode_stop",
    "followup_create",
    "hold_create",
    "hold_end",
    "lab_create",
    "lesion_create",
    "lesion_imaging_add",
    "patient_create",
    "radiotherapy_plan_create",
    "radiotherapy_plan_update",
    "register_team_change_guard",
    "specialist_add",
    "specialists_available",
    "surgery_record",
    "team_change_guards",
]
