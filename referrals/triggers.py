"""The bridge from a saved case to the referral pathway (CLINICAL.md §8-§9).

``referral_triggers_evaluate`` runs at the end of every write of a clinical input in cases
(``case_update``, ``lesion_create``, ``lesion_imaging_add``, ``followup_create``,
``assessment_create``), after the assessment was recomputed, inside their transaction, so a
referral commits with the lesion that fired it (and its alerts are enqueued on that commit).
Nothing clinical is decided here: the triggers and the urgency are the scoring core's, fed by
``cases.evaluation.case_evaluation_request`` (the same request an assessment scores).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cases.evaluation import case_evaluation_request, derive_subtype
from cases.models import Case
from scoring.calculators import (
    BILSKY_RANK,
    BilskyGrade,
    Frankel,
    MolecularSubtype,
    PrimarySite,
    ReferralDirection,
    ScoringInputError,
    Trigger,
    TriggerCode,
    evaluate_request,
    triggers,
)
from tumorboard.models import User

logger = logging.getLogger(__name__)

#: Inputs the full evaluation needs but the trigger rules never read (§8): when the case lacks
#: them, a neutral value lets the core still evaluate the triggers. Only for these fields.
_NOT_READ_BY_TRIGGERS = {"kps": 100, "visceral_metastases": "none"}
_SYSTEMIC_FIELDS = ("anc_per_mm3", "cdk46_inhibitor", "bone_modifying_agent",
                    "bone_agent_last_dose", "planned_surgery_date")


@dataclass(frozen=True)
class CaseFindings:
    """What the pathway needs of a case: the fired triggers and the urgency inputs (§9)."""

    triggers: tuple[Trigger, ...] = ()
    max_bilsky: BilskyGrade | None = None
    max_sins: int | None = None
    subtype: MolecularSubtype | None = None
    errors: dict[str, Any] = field(default_factory=dict)

    def for_direction(self, direction: str) -> list[Trigger]:
        return [trigger for trigger in self.triggers if trigger.direction == direction]

    @property
    def high_grade(self) -> bool:
        return self.max_bilsky in (BilskyGrade.GRADE_2, BilskyGrade.GRADE_3)


def _trigger_request(case: Case) -> dict[str, Any]:
    """The case's evaluation request, completed for the trigger rules only.

    Never invented: an input the rules read. An unknown Frankel counts as "no deficit reported"
    (the core treats every absent clinical flag the same way); an unknown extraspinal count turns
    off ``isolated_lesion`` (it needs 0) rather than guessing 0; a vertebral count below the
    lesions' distinct levels is raised to them, which never makes ``isolated_lesion`` fire.
    """
    request = case_evaluation_request(case)
    patient = request["patient"]
    for name in _SYSTEMIC_FIELDS:  # timing checks only; not read by the triggers
        patient.pop(name, None)
    if "kps" not in patient and "ecog" not in patient:
        patient["kps"] = _NOT_READ_BY_TRIGGERS["kps"]
    patient.setdefault("visceral_metastases", _NOT_READ_BY_TRIGGERS["visceral_metastases"])
    patient.setdefault("frankel", Frankel.E.value)
    if "extraspinal_bone_metastases" not in patient:
        patient["extraspinal_bone_metastases"] = 0
        patient.pop("new_patient", None)
    distinct = len({level for lesion in request["lesions"] for level in lesion["levels"]})
    patient["vertebral_metastases"] = max(patient.get("vertebral_metastases") or 1, distinct, 1)
    return request


def case_findings(case: Case) -> CaseFindings:
    """The triggers that fire for the case as stored, by the scoring core (§8)."""
    request = _trigger_request(case)
    try:
        subtype: MolecularSubtype | None = derive_subtype(case)
    except ScoringInputError:
        subtype = None
    patient = request["patient"]
    if not request["lesions"]:
        # No imaged lesion yet (a hand-flagged back pain): the patient-level rules only.
        fired = triggers(
            primary_site=PrimarySite(patient["primary_site"]),
            frankel=Frankel(patient["frankel"]),
            lesions=(),
            vertebral_metastases=patient["vertebral_metastases"],
            extraspinal_bone_metastases=patient["extraspinal_bone_metastases"],
            neurological_deficit=patient.get("neurological_deficit"),
            new_or_progressive_back_pain=patient.get("new_or_progressive_back_pain"),
            new_patient=patient.get("new_patient"),
        )
        return CaseFindings(triggers=fired, subtype=subtype)
    try:
        result = evaluate_request(request)
    except ScoringInputError as error:
        # Ids only in logs: field paths, never values.
        logger.warning("referral triggers not evaluated for case %s: %s", case.pk,
                       sorted(error.errors))
        return CaseFindings(subtype=subtype, errors=error.errors)
    fired = tuple(
        Trigger(code=TriggerCode(item["code"]), direction=ReferralDirection(item["direction"]),
                evidence=item["evidence"])
        for item in result["triggers"]  # type: ignore[attr-defined]
    )
    lesions: list[dict[str, Any]] = result["lesions"]  # type: ignore[assignment]
    return CaseFindings(
        triggers=fired,
        max_bilsky=max((BilskyGrade(item["bilsky"]) for item in request["lesions"]),
                       key=BILSKY_RANK.__getitem__),
        max_sins=max(item["sins"]["total"] for item in lesions),
        subtype=MolecularSubtype(str(result["subtype"])),
    )


#: *Service policy v1* (judgment call, named and versioned): the §8 trigger a follow-up finding
#: fires when a visit re-enters spine-metastasis detection (CLINICAL.md §18). §8 has no code of
#: its own for these: local progression and new spinal lesions are spinal disease progressing on
#: serial imaging (``rapid_progression``, orange by §9: seen within 72 h); a new deficit is
#: ``neurological_deficit``. The referral carries the visit as evidence.
REENTRY_TRIGGERS_VERSION = "1"
REENTRY_TRIGGERS: dict[str, TriggerCode] = {
    "new_spinal_lesions": TriggerCode.RAPID_PROGRESSION,
    "local_progression": TriggerCode.RAPID_PROGRESSION,
    "new_deficit": TriggerCode.NEUROLOGICAL_DEFICIT,
}


def with_followup(findings: CaseFindings, followup: Any, reentry: Sequence[str]) -> CaseFindings:
    """``findings`` with the re-entry triggers of a follow-up visit (§18) added; a code the core
    already fired keeps its evidence with the visit's appended."""
    from cases.followups import reentry_evidence

    if not reentry:
        return findings
    fired = {trigger.code: trigger for trigger in findings.triggers}
    for finding in reentry:
        code = REENTRY_TRIGGERS[finding]
        codes_findings = [item for item in reentry if REENTRY_TRIGGERS[item] == code]
        evidence = reentry_evidence(followup, codes_findings)
        known = fired.get(code)
        if known is not None and evidence in known.evidence:
            continue
        fired[code] = Trigger(
            code=code, direction=ReferralDirection.BREAST_TO_NEURO,
            evidence=f"{known.evidence} {evidence}" if known is not None else evidence)
    ordered = tuple(fired[code] for code in TriggerCode if code in fired)
    return replace(findings, triggers=ordered)


def on_findings_changed(sender: object, *, case: Case, actor: User, **kwargs: Any) -> None:
    """Receiver of ``cases.signals.findings_changed`` (connected in ``referrals.apps``); a
    follow-up visit that re-enters the pathway comes with ``followup`` and ``reentry`` (§18)."""
    referral_triggers_evaluate(case=case, actor=actor, followup=kwargs.get("followup"),
                               reentry=kwargs.get("reentry") or ())


def referral_triggers_evaluate(*, case: Case, actor: User, followup: Any = None,
                               reentry: Sequence[str] = ()) -> list[Any]:
    """Re-evaluate the §8 triggers of ``case`` and raise or extend a referral per direction.

    Call it inside the writer's transaction. Returns the referrals raised or extended.
    """
    from . import services

    findings = case_findings(case)
    if followup is not None:
        findings = with_followup(findings, followup, reentry)
    touched = []
    for direction in ReferralDirection:
        fired: Sequence[Trigger] = findings.for_direction(direction)
        if not fired:
            continue
        referral = services.referral_raise(
            case=case, direction=direction, fired=fired, findings=findings, actor=actor
        )
        if referral is not None:
            touched.append(referral)
    return touched
