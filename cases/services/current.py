"""The current assessment of a case: scored again, in the writer's transaction, whenever a
clinical input changes (issue 17, "the assessment is always current")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from scoring.calculators import BILSKY_RANK, BilskyGrade, ScoringInputError, evaluate_request
from tumorboard.models import User

from .. import audit
from ..evaluation import case_evaluation_request, case_field_errors
from ..models import Assessment, AuditAction, Case
from .common import announce_findings_changed, touch


def evaluate_case(case: Case, actor: User, evaluated_at: datetime) -> Assessment:
    """Score the case as stored now and build (not save) its assessment; ``ScoringInputError``
    names the missing inputs."""
    lesions = list(case.lesions.prefetch_related("imagings"))
    request = case_evaluation_request(case, lesions)
    labels = [lesion.label for lesion in lesions if lesion.imagings.all()]
    try:
        result = evaluate_request(request, now=evaluated_at)
    except ScoringInputError as error:
        raise ValidationError(case_field_errors(error, labels)) from None
    lesion_results: list[dict[str, Any]] = result["lesions"]  # type: ignore[assignment]
    urgency = result["urgency"]
    return Assessment(
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


def store_assessment(case: Case, assessment: Assessment, actor: User, *,
                     automatic: bool) -> Assessment:
    assessment.full_clean()
    assessment.save()
    case.latest_assessment = assessment
    audit.record(actor=actor, action=AuditAction.CREATE, obj=assessment, case=case,
                 detail={"rules_version": assessment.rules_version, "automatic": automatic})
    return assessment


def assessment_recompute(
    *, case: Case, actor: User, now: datetime | None = None
) -> Assessment | None:
    """Keep the case's current assessment current: called by every write of a clinical input
    (case fields, lesion, imaging study, follow-up visit) inside its transaction, on the locked
    case, before ``findings_changed`` is sent (so the referral urgency and due time, the triggers
    and the agenda read the scores of the data as it now is).

    A new, versioned assessment is stored when the inputs or the rules version differ from the
    current one; older assessments stay as they were (what the MDT saw). When the inputs can no
    longer be scored (no imaged lesion, a required field emptied), the case has no current
    assessment: no stale score is shown as current. The caller saves the case (``touch``)."""
    try:
        assessment = evaluate_case(case, actor, now or timezone.now())
    except ValidationError:
        case.latest_assessment = None
        return None
    current = case.latest_assessment
    if (current is not None and current.inputs == assessment.inputs
            and current.rules_version == assessment.rules_version):
        return current
    return store_assessment(case, assessment, actor, automatic=True)


def clinical_inputs_changed(case: Case, actor: User, **signal_kwargs: Any) -> None:
    """The end of every write of a clinical input, on the locked case inside its transaction:
    recompute the assessment, save the case (new version), then tell the apps above."""
    assessment_recompute(case=case, actor=actor)
    touch(case, actor)
    announce_findings_changed(case, actor, **signal_kwargs)


def _max_bilsky(lesions: list[dict[str, Any]]) -> str:
    return max((BilskyGrade(item["bilsky"]) for item in lesions), key=BILSKY_RANK.__getitem__).value
