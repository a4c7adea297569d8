"""One call that runs every calculator on a case: what ``POST /api/v1/scores/evaluate/`` answers.

The patient-level scores (Tokuhashi, Tomita, modified Bauer, NESMS, NOMS S and O arms) use the
patient; the NOMS N and M arms, the urgency and the candidacy use the worst lesion (highest Bilsky
grade, highest SINS), each taken on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, NoReturn

from .bauer import BauerResult, NesmsResult, modified_bauer, nesms
from .bilsky import BILSKY_RANK
from .candidacy import CandidacyItem, candidacy
from .checks import bool_error
from .enums import MolecularSubtype, Pain, Urgency
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .inputs import EvaluationInput, PatientInput, SystemicTherapy
from .lesion_scores import LesionResult, score_lesions, vertebral_count_reason
from .noms import NomsResult, noms_unchecked
from .performance import PerformanceStatus, has_neurological_deficit, performance_status
from .subtype import SubtypeResult, resolve_subtype
from .timing import TimingCheck, timing_checks
from .tokuhashi import TokuhashiResult, tokuhashi
from .tomita import TomitaResult, tomita
from .triggers import LesionFindings, Trigger, triggers_unchecked
from .urgency import urgency_unchecked
from .version import RULES_VERSION


@fast_init
@dataclass(frozen=True, slots=True)
class EvaluationResult:
    subtype: MolecularSubtype
    lesions: tuple[LesionResult, ...]
    tokuhashi: TokuhashiResult
    tomita: TomitaResult
    modified_bauer: BauerResult
    nesms: NesmsResult | None
    noms: NomsResult
    triggers: tuple[Trigger, ...]
    urgency: Urgency | None
    due_within_hours: int | None
    timing: tuple[TimingCheck, ...]
    candidacy: tuple[CandidacyItem, ...]
    rationale: tuple[str, ...]  # subtype and urgency reasons, not in the JSON contract
    rules_version: str = RULES_VERSION

    @property
    def max_sins(self) -> int:
        return max(lesion.sins.total for lesion in self.lesions)

    def to_dict(self) -> dict[str, object]:
        """The response body of the evaluate endpoint, JSON-serializable, keys fixed by contract."""
        return {
            "rules_version": self.rules_version,
            "subtype": self.subtype.value,
            "lesions": [lesion.to_dict() for lesion in self.lesions],
            "tokuhashi": self.tokuhashi.to_dict(),
            "tomita": self.tomita.to_dict(),
            "modified_bauer": self.modified_bauer.to_dict(),
            "nesms": self.nesms.to_dict() if self.nesms is not None else None,
            "noms": self.noms.to_dict(),
            "triggers": [trigger.to_dict() for trigger in self.triggers],
            "urgency": self.urgency.value if self.urgency is not None else None,
            "due_within_hours": self.due_within_hours,
            "timing": [check.to_dict() for check in self.timing],
            "candidacy": [item.to_dict() for item in self.candidacy],
        }


class _Scored(NamedTuple):
    subtype: SubtypeResult
    status: PerformanceStatus
    lesions: tuple[LesionResult, ...]
    tokuhashi: TokuhashiResult
    tomita: TomitaResult
    modified_bauer: BauerResult
    nesms: NesmsResult | None


def evaluate(inp: EvaluationInput, *, now: datetime | None = None) -> EvaluationResult:
    """Score a case with every calculator of CLINICAL.md and derive NOMS, triggers, urgency,
    surgical timing and candidacy.

    Raises ``ScoringInputError`` with every problem found, keyed by field path (``patient.kps``,
    ``lesions[0].levels[1]``, ``systemic.anc_per_mm3``). ``now`` is the reference time for the
    bone-agent pause when no surgery date is planned (default: the current UTC time).
    """
    if (
        type(inp) is not EvaluationInput
        or type(inp.patient) is not PatientInput
        or type(inp.systemic) is not SystemicTherapy
    ):
        raise ScoringInputError.single("non_field_errors", "expected an EvaluationInput")
    scored = _score(inp)
    patient, lesion_inputs = inp.patient, inp.lesions
    lesion_results = scored.lesions
    subtype = scored.subtype.subtype
    status, tokuhashi_result, tomita_result = scored.status, scored.tokuhashi, scored.tomita

    max_sins = max(result.sins.total for result in lesion_results)
    max_bilsky = max((lesion.bilsky for lesion in lesion_inputs), key=BILSKY_RANK.__getitem__)
    # Every input below comes from the calculators run in _score, which refused what noms,
    # triggers and urgency would refuse: their checks need not run twice.
    noms_result = noms_unchecked(
        max_bilsky=max_bilsky,
        max_sins=max_sins,
        primary_site=patient.primary_site,
        subtype=subtype,
        progressed_after_radiation=any(
            lesion.progressed_after_radiation is True for lesion in lesion_inputs
        ),
        kps=status.kps,
        tomita_total=tomita_result.total,
        vertebral_metastases=patient.vertebral_metastases,
        extraspinal_bone_metastases=patient.extraspinal_bone_metastases,
        visceral_metastases=patient.visceral_metastases,
        lesions_painless=all(lesion.pain == Pain.NONE for lesion in lesion_inputs),
        neurological_deficit=has_neurological_deficit(
            frankel=patient.frankel, stated_deficit=patient.neurological_deficit
        ),
    )
    fired = triggers_unchecked(
        primary_site=patient.primary_site,
        frankel=patient.frankel,
        lesions=[
            LesionFindings(
                levels=result.levels,
                sins_total=result.sins.total,
                bilsky=result.bilsky.grade,
                progressed_within_6_weeks=lesion.progressed_within_6_weeks is True,
            )
            for lesion, result in zip(lesion_inputs, lesion_results, strict=True)
        ],
        vertebral_metastases=patient.vertebral_metastases,
        extraspinal_bone_metastases=patient.extraspinal_bone_metastases,
        neurological_deficit=patient.neurological_deficit,
        new_or_progressive_back_pain=patient.new_or_progressive_back_pain,
        new_patient=patient.new_patient,
    )
    urgency_result = urgency_unchecked(
        trigger_codes=[trigger.code for trigger in fired],
        max_bilsky=max_bilsky,
        max_sins=max_sins,
        subtype=subtype,
    )
    systemic = inp.systemic
    today = None
    if systemic.bone_modifying_agent is not None and systemic.planned_surgery_date is None:
        today = (now or datetime.now(UTC)).date()
    try:
        timing = timing_checks(
            urgency=urgency_result.level,
            subtype=subtype,
            max_bilsky=max_bilsky,
            anc_per_mm3=systemic.anc_per_mm3,
            cdk46_inhibitor=systemic.cdk46_inhibitor,
            bone_modifying_agent=systemic.bone_modifying_agent,
            bone_agent_last_dose=systemic.bone_agent_last_dose,
            planned_surgery_date=systemic.planned_surgery_date,
            today=today,
        )
    except ScoringInputError as error:
        raise error.prefixed("systemic") from None
    checklist = candidacy(
        tokuhashi_total=tokuhashi_result.total,
        tomita_total=tomita_result.total,
        kps=status.kps,
        kps_from_ecog=status.from_ecog,
        vertebral_metastases=patient.vertebral_metastases,
        extraspinal_bone_metastases=patient.extraspinal_bone_metastases,
        max_sins=max_sins,
    )
    return EvaluationResult(
        subtype=subtype,
        lesions=lesion_results,
        tokuhashi=tokuhashi_result,
        tomita=tomita_result,
        modified_bauer=scored.modified_bauer,
        nesms=scored.nesms,
        noms=noms_result,
        triggers=fired,
        urgency=urgency_result.level,
        due_within_hours=urgency_result.due_within_hours,
        timing=timing,
        candidacy=checklist,
        rationale=scored.subtype.rationale + urgency_result.rationale,
    )


def _score(inp: EvaluationInput) -> _Scored:
    """Every score of the case, each calculator run once. Every problem is collected under its
    full path (``patient.kps``, ``lesions[0].levels[1]``, ``systemic.anc_per_mm3``) and raised
    together."""
    patient, lesion_inputs = inp.patient, inp.lesions
    site, visceral = patient.primary_site, patient.visceral_metastases
    vertebral, extraspinal = patient.vertebral_metastases, patient.extraspinal_bone_metastases
    bag = ErrorBag()
    # Each calculator in a try of its own, not a lambda passed to a helper: the closures made every
    # name they read a cell, and cost some 8 % of evaluate() (measured).
    try:
        subtype_result: SubtypeResult | None = resolve_subtype(
            primary_site=site, subtype=patient.subtype, receptors=patient.receptors
        )
    except ScoringInputError as error:
        bag.merge(error, "patient")
        subtype_result = None
    try:
        status: PerformanceStatus | None = performance_status(kps=patient.kps, ecog=patient.ecog)
    except ScoringInputError as error:
        bag.merge(error, "patient")
        status = None
    lesion_results = score_lesions(lesion_inputs, bag)
    # One lesion on one level is always consistent with the count (CLINICAL.md §3-§4 inputs).
    if lesion_results and (len(lesion_inputs) > 1 or len(lesion_inputs[0].levels) > 1):
        distinct = len({level for lesion in lesion_inputs for level in lesion.levels})
        if type(vertebral) is int and vertebral < distinct:
            bag.add("patient.vertebral_metastases", vertebral_count_reason(distinct))
    subtype = subtype_result.subtype if subtype_result is not None else MolecularSubtype.UNKNOWN
    try:
        tokuhashi_result: TokuhashiResult | None = tokuhashi(
            primary_site=site, frankel=patient.frankel, extraspinal_bone_metastases=extraspinal,
            vertebral_metastases=vertebral, visceral_metastases=visceral,
            kps=patient.kps, ecog=patient.ecog, subtype=subtype,
        )  # fmt: skip
    except ScoringInputError as error:
        bag.merge(error, "patient")
        tokuhashi_result = None
    try:
        tomita_result: TomitaResult | None = tomita(
            primary_site=site, visceral_metastases=visceral, vertebral_metastases=vertebral,
            extraspinal_bone_metastases=extraspinal,
        )  # fmt: skip
    except ScoringInputError as error:
        bag.merge(error, "patient")
        tomita_result = None
    try:
        bauer_result: BauerResult | None = modified_bauer(
            primary_site=site, visceral_metastases=visceral, vertebral_metastases=vertebral,
            extraspinal_bone_metastases=extraspinal,
        )  # fmt: skip
    except ScoringInputError as error:
        bag.merge(error, "patient")
        bauer_result = None
    # NESMS only when both of its own inputs are given (CLINICAL.md §5).
    ambulatory, albumin = patient.ambulatory, patient.albumin_g_dl
    nesms_result = None
    if ambulatory is not None and albumin is not None:
        bauer_total = bauer_result.total if bauer_result is not None else 0
        try:
            nesms_result = nesms(
                modified_bauer_total=bauer_total, ambulatory=ambulatory, albumin_g_dl=albumin
            )
        except ScoringInputError as error:
            bag.merge(error, "patient")
    for name in ("neurological_deficit", "new_patient", "new_or_progressive_back_pain"):
        flag = getattr(patient, name)
        if flag is not None and (reason := bool_error(flag)):
            bag.add(f"patient.{name}", reason)
    if bag.errors:
        _raise_with_systemic_errors(inp, bag)
    assert subtype_result and status and lesion_results  # no error: every score is there
    assert tokuhashi_result and tomita_result and bauer_result
    return _Scored(
        subtype=subtype_result, status=status, lesions=lesion_results,
        tokuhashi=tokuhashi_result, tomita=tomita_result, modified_bauer=bauer_result,
        nesms=nesms_result,
    )  # fmt: skip


def _raise_with_systemic_errors(inp: EvaluationInput, bag: ErrorBag) -> NoReturn:
    """Raise the errors found, with those of the systemic-therapy inputs checked on their own
    (their timing checks need the urgency, which a case with errors does not have)."""
    systemic = inp.systemic
    try:
        timing_checks(
            urgency=None, subtype=MolecularSubtype.UNKNOWN, max_bilsky=None,
            anc_per_mm3=systemic.anc_per_mm3, cdk46_inhibitor=systemic.cdk46_inhibitor,
            bone_modifying_agent=systemic.bone_modifying_agent,
            bone_agent_last_dose=systemic.bone_agent_last_dose,
            planned_surgery_date=systemic.planned_surgery_date,
        )  # fmt: skip
    except ScoringInputError as error:
        bag.merge(error, "systemic")
    raise ScoringInputError(bag.errors)
