"""What the board sees of a case, as JSON: frozen into ``AgendaItem.snapshot`` when the agenda is
locked, built live for a packet rendered before the lock.

- ``assessment``: the latest stored assessment (its result is the scoring core's, reproducible
  from its inputs). A case with no assessment but complete inputs is scored at lock by the core
  (``evaluate_request`` on the case's current picture) and marked ``computed_at_lock``; no
  Assessment row is written, because the coordinator who locks may not change the case. A case
  whose inputs are incomplete carries the core's field errors instead.
- ``clinical``: receptors, subtype, systemic therapy, performance status, neurology, burden.
- ``referrals``: every referral of the case with its triggers and its event history.

Patient identifiers are not copied: the packet reads them from the patient row, for its reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from cases.evaluation import case_evaluation_request
from cases.models import Case, SpinalLesion
from cases.systemic import systemic_snapshot
from referrals.models import Referral
from scoring.calculators import ScoringInputError, evaluate_request

CLINICAL_FIELDS = (
    "primary_status", "er", "pr", "her2", "ki67", "subtype", "cdk46_inhibitor",
    "bone_modifying_agent", "bone_agent_last_dose", "anc_per_mm3", "anc_date",
    "planned_surgery_date", "kps", "ecog", "frankel", "asia", "neurological_deficit",
    "ambulatory", "extraspinal_bone_metastases", "vertebral_metastases", "visceral_metastases",
    "phase",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def load_cases(case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases with everything a snapshot reads, in a constant number of queries."""
    cases = (
        Case.objects.filter(pk__in=list(case_ids))
        .select_related("patient", "latest_assessment")
        .prefetch_related(
            Prefetch("lesions", queryset=SpinalLesion.objects.prefetch_related("imagings")),
            Prefetch("referrals", queryset=Referral.objects.order_by("created_at", "pk")
                     .prefetch_related("triggers", "events")),
            "therapy_episodes__holds", "lab_values",
        )
    )
    return {case.pk: case for case in cases}


def case_snapshot(case: Case, *, now: datetime | None = None) -> dict[str, Any]:
    """The snapshot of one case loaded by ``load_cases`` (no further queries)."""
    now = now or timezone.now()
    assessment = case.latest_assessment
    scored: dict[str, Any] | None = None
    errors: dict[str, list[str]] | None = None
    if assessment is not None:
        scored = {"id": assessment.pk, "evaluated_at": assessment.evaluated_at.isoformat(),
                  "rules_version": assessment.rules_version, "computed_at_lock": False,
                  "result": assessment.result}
    else:
        lesions = list(case.lesions.all())
        request = case_evaluation_request(case, lesions)
        try:
            result = evaluate_request(request, now=now)
        except ScoringInputError as error:
            errors = error.errors
        else:
            scored = {"id": None, "evaluated_at": now.isoformat(),
                      "rules_version": result["rules_version"], "computed_at_lock": True,
                      "result": result}
    referrals = []
    for referral in case.referrals.all():
        referrals.append({
            "id": referral.pk, "direction": referral.direction, "status": referral.status,
            "urgency": referral.urgency or None, "created_at": referral.created_at.isoformat(),
            "triggers": [{"code": t.code, "evidence": t.evidence} for t in referral.triggers.all()],
            "events": [{"action": e.action, "from": e.from_status, "to": e.to_status,
                        "at": e.at.isoformat(), "note": e.note} for e in referral.events.all()],
        })
    return {
        "taken_at": now.isoformat(),
        "assessment": scored,
        "errors": errors,
        "clinical": {name: _plain(getattr(case, name)) for name in CLINICAL_FIELDS},
        "referrals": referrals,
        # CLINICAL.md §10/§16: the episodes and the earliest safe date of elective surgery.
        "systemic": systemic_snapshot(case, today=timezone.localdate(now)),
    }


def recommended(snapshot: dict[str, Any] | None) -> tuple[str, bool | None]:
    """(NOMS pathway, stabilisation required) the service recommended in ``snapshot``;
    ("", None) when the case could not be scored."""
    if not snapshot or not snapshot.get("assessment"):
        return "", None
    noms = snapshot["assessment"]["result"].get("noms") or {}
    return str(noms.get("pathway", "")), noms.get("stabilisation_required")
