"""Assessments (the stored, versioned scores of a case) and follow-up visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tumorboard.models import User

from .. import audit, timeline
from ..followups import REENTRY_FROM_PHASES, reentry_evidence, reentry_findings
from ..models import (
    Assessment,
    AuditAction,
    Case,
    FollowUpVisit,
)
from .checklist import duties_fulfilled
from .common import (
    announce_findings_changed,
    history_user,
    lock_case,
    require_change,
    touch,
)
from .current import clinical_inputs_changed, evaluate_case, store_assessment
from .records import case_transition


@transaction.atomic
def assessment_create(*, case: Case, actor: User, now: datetime | None = None) -> Assessment:
    """Run every calculator on the case and its lesions' latest imaging and store the run with
    its inputs (DESIGN.md, Assessment). Missing inputs raise ``ValidationError`` naming the case
    field (``kps``, ``frankel``, ``lesions``...) and nothing is saved.

    Harmless next to the automatic recompute (``assessment_recompute``): it stores the same
    scores again, as a run a person asked for."""
    require_change(actor, case)
    case = lock_case(case)
    assessment = evaluate_case(case, actor, now or timezone.now())
    store_assessment(case, assessment, actor, automatic=False)
    touch(case, actor)
    announce_findings_changed(case, actor)
    duties_fulfilled(case=case, fact="assessment_recorded", actor=actor)
    return assessment


#: What a follow-up visit records of the current picture and copies onto the case (§18):
#: the case then scores, triggers and shows the latest neurology and performance status.
FOLLOWUP_STATUS_FIELDS = ("frankel", "ecog", "kps")


@transaction.atomic
def followup_create(*, case: Case, actor: User, **fields: Any) -> FollowUpVisit:
    """One follow-up visit's outcomes (CLINICAL.md §18), shared by both surgeons.

    The visit's Frankel, ASIA (when given), ECOG and KPS become the case's current values, and
    the assessment is recomputed. New spinal lesions, local progression or a new deficit
    (``cases.followups.reentry_findings``) re-enter spine-metastasis detection: the case moves
    back there from surveillance (``REENTRY_FROM_PHASES``), and ``findings_changed`` carries the
    visit and its findings, so the referral triggers fire with the visit as evidence (§8)."""
    require_change(actor, case)
    visit = FollowUpVisit(case=case, recorded_by=actor, **fields)
    visit.full_clean()
    history_user(visit, actor)
    visit.save()
    case = lock_case(case)
    reentry = reentry_findings(visit, frankel_before=case.frankel)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=visit, case=case,
                 detail={"reentry": reentry} if reentry else None)
    if reentry and case.phase in REENTRY_FROM_PHASES:
        case_transition(case=case, to_phase=timeline.Phase.SPINE_METASTASIS_DETECTION,
                        reason=reentry_evidence(visit, reentry), actor=actor)
        case = lock_case(case)
    for name in FOLLOWUP_STATUS_FIELDS:
        setattr(case, name, getattr(visit, name))
    if visit.asia:
        case.asia = visit.asia
    if "new_deficit" in reentry:
        case.neurological_deficit = True
    clinical_inputs_changed(case, actor, followup=visit, reentry=reentry)
    duties_fulfilled(case=case, fact="followup_recorded", actor=actor)
    return visit
