"""Pure clinical scoring core of the tumor board service (no Django, standard library only).

Every rule is in ``CLINICAL.md`` (section cited in each calculator's docstring); policy choices are
named module-level tables, versioned together by ``RULES_VERSION``. Typed inputs in; frozen results
with total, band, per-component points, rationale and reference out; any missing or out-of-range
input raises ``ScoringInputError`` naming the field.
"""

from __future__ import annotations

from .bauer import (
    BauerResult,
    NesmsResult,
    modified_bauer,
    nesms,
)
from .bilsky import BILSKY_RANK, BilskyResult, bilsky
from .candidacy import CANDIDACY_POLICY, CandidacyItem, candidacy
from .enums import (
    Alignment,
    BauerBand,
    BilskyGrade,
    BoneLesion,
    BoneModifyingAgent,
    CandidacyCode,
    Collapse,
    Frankel,
    MolecularSubtype,
    NomsMechanical,
    NomsNeurological,
    NomsOncological,
    NomsPathway,
    NomsSystemic,
    Pain,
    Posterolateral,
    PrimarySite,
    ReferralDirection,
    Severity,
    SinsBand,
    SpinalLevel,
    TimingCode,
    TokuhashiSurvival,
    TomitaGoal,
    TomitaGrowth,
    TriggerCode,
    Urgency,
    VisceralMetastases,
)
from .errors import ScoringInputError
from .evaluate import EvaluationResult, evaluate
from .inputs import (
    EvaluationInput,
    LesionImaging,
    LesionInput,
    PatientInput,
    Receptors,
    SystemicTherapy,
)
from .lesion_scores import LesionResult, score_lesion
from .levels import LEVELS, format_levels
from .noms import NomsResult, noms
from .parse import evaluate_request, parse_evaluation_request
from .performance import (
    ECOG_TO_KPS,
    PerformanceStatus,
    ecog_to_kps,
    has_neurological_deficit,
    performance_status,
)
from .priority import PriorityKey, priority_key, priority_reason
from .progression import PROGRESSION_ORDER, progressed_within_6_weeks, progression_changes
from .sins import SinsResult, sins
from .subtype import SubtypeResult, molecular_subtype, resolve_subtype
from .timing import TimingCheck, therapies_to_hold, timing_checks
from .tokuhashi import TokuhashiResult, tokuhashi
from .tomita import TomitaResult, tomita
from .triggers import OCCULT_PRIMARY_WORKUP, LesionFindings, Trigger, triggers
from .urgency import (
    ESCALATION_MINUTES,
    ESCALATION_POLICY_VERSION,
    ESCALATION_REFERENCE,
    URGENCY_DUE_HOURS,
    UrgencyResult,
    urgency,
    urgency_due_at,
)
from .version import RULES_VERSION

__all__ = [
    "BILSKY_RANK",
    "CANDIDACY_POLICY",
    "ECOG_TO_KPS",
    "ESCALATION_MINUTES",
    "ESCALATION_POLICY_VERSION",
    "ESCALATION_REFERENCE",
    "LEVELS",
    "OCCULT_PRIMARY_WORKUP",
    "PROGRESSION_ORDER",
    "RULES_VERSION",
    "URGENCY_DUE_HOURS",
    "Alignment",
    "BauerBand",
    "BauerResult",
    "BilskyGrade",
    "BilskyResult",
    "BoneLesion",
    "BoneModifyingAgent",
    "CandidacyCode",
    "CandidacyItem",
    "Collapse",
    "EvaluationInput",
    "EvaluationResult",
    "Frankel",
    "LesionFindings",
    "LesionImaging",
    "LesionInput",
    "LesionResult",
    "MolecularSubtype",
    "NesmsResult",
    "NomsMechanical",
    "NomsNeurological",
    "NomsOncological",
    "NomsPathway",
    "NomsResult",
    "NomsSystemic",
    "Pain",
    "PatientInput",
    "PerformanceStatus",
    "Posterolateral",
    "PrimarySite",
    "PriorityKey",
    "Receptors",
    "ReferralDirection",
    "ScoringInputError",
    "Severity",
    "SinsBand",
    "SinsResult",
    "SpinalLevel",
    "SubtypeResult",
    "SystemicTherapy",
    "TimingCheck",
    "TimingCode",
    "TokuhashiResult",
    "TokuhashiSurvival",
    "TomitaGoal",
    "TomitaGrowth",
    "TomitaResult",
    "Trigger",
    "TriggerCode",
    "Urgency",
    "UrgencyResult",
    "VisceralMetastases",
    "bilsky",
    "candidacy",
    "ecog_to_kps",
    "evaluate",
    "evaluate_request",
    "format_levels",
    "has_neurological_deficit",
    "modified_bauer",
    "molecular_subtype",
    "nesms",
    "noms",
    "parse_evaluation_request",
    "performance_status",
    "priority_key",
    "priority_reason",
    "progressed_within_6_weeks",
    "progression_changes",
    "resolve_subtype",
    "score_lesion",
    "sins",
    "therapies_to_hold",
    "timing_checks",
    "tokuhashi",
    "tomita",
    "triggers",
    "urgency",
    "urgency_due_at",
]
