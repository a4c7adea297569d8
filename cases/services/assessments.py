"""Assessments (the stored, versioned scores of a case) and follow-up visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scoring.calculators import ScoringInputError, evaluate_request
from tumorboard.models import User

from .. import audit
from ..evaluation import case_evaluation_request, case_field_errors
from ..models import (
    Assessment,
    AuditAction,
    Case,
    FollowUpVisit,
)
from .common import (
    announce_findings_changed,
    history_user,
    lock_case,
    require_change,
    touch,
)


@transaction.atomic
def assessment_create(*, case: Case, actor: User, now: datetime | None = None) -> Assessment:
    """Run every calculator on the case and its lesions' latest imaging and store the run with
    its inputs (DESIGN.md, Assessment). Missing inputs raise ``ValidationError`` naming the case
    field (``kps``, ``frankel``, ``lesions``...) and nothing is saved."""
    require_change(actor, case)
    case = lock_case(case)
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
    touch(case, actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=assessment, case=case,
                 detail={"rules_version": assessment.rules_version})
    announce_findings_changed(case, actor)
    return assessment


def _max_bilsky(lesions: list[dict[str, Any]]) -> str:
    from scoring.calculators import BILSKY_RANK, BilskyGrade

    return max((BilskyGrade(item["bilsky"]) for item in lesions), key=BILSKY_RANK.__getitem__).value





@transaction.atomic
def followup_create(*, case: Case, actor: User, **fields: Any) -> FollowUpVisit:
    """One follow-up visit's outcomes (S2 §8), shared by both surgeons."""
    require_change(actor, case)
    visit = FollowUpVisit(case=case, recorded_by=actor, **fields)
    visit.full_clean()
    history_user(visit, actor)
    visit.save()
    touch(lock_case(case), actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=visit, case=case)
    return visit
