"""Typed categories of the scoring core.

Values are the lower-case snake-case words of the REST API (DESIGN.md, Contracts); Frankel grades
and spinal levels keep their clinical upper-case spelling. Every enum is a ``StrEnum``, so a plain
string from the database or JSON looks up the same table entry as the member itself.
"""

from __future__ import annotations

from enum import StrEnum


class PrimarySite(StrEnum):
    LUNG = "lung"
    OSTEOSARCOMA = "osteosarcoma"
    STOMACH = "stomach"
    BLADDER = "bladder"
    ESOPHAGUS = "esophagus"
    PANCREAS = "pancreas"
    LIVER = "liver"
    GALLBLADDER = "gallbladder"
    UNKNOWN = "unknown"
    OTHER = "other"
    KIDNEY = "kidney"
    UTERUS = "uterus"
    RECTUM = "rectum"
    THYROID = "thyroid"
    BREAST = "breast"
    PROSTATE = "prostate"
    CARCINOID = "carcinoid"


class MolecularSubtype(StrEnum):
    LUMINAL_A = "luminal_a"
    LUMINAL_B = "luminal_b"
    HER2_ENRICHED = "her2_enriched"
    TRIPLE_NEGATIVE = "triple_negative"
    UNKNOWN = "unknown"


class Frankel(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class VisceralMetastases(StrEnum):
    NONE = "none"
    REMOVABLE = "removable"
    TREATABLE = "treatable"
    UNTREATABLE = "untreatable"


class Pain(StrEnum):
    MECHANICAL = "mechanical"
    OCCASIONAL = "occasional"
    NONE = "none"


class BoneLesion(StrEnum):
    LYTIC = "lytic"
    MIXED = "mixed"
    BLASTIC = "blastic"


class Alignment(StrEnum):
    SUBLUXATION = "subluxation"
    DEFORMITY = "deformity"
    NORMAL = "normal"


class Collapse(StrEnum):
    OVER_50 = "over_50"
    UNDER_50 = "under_50"
    INVOLVED_OVER_50 = "involved_over_50"
    NONE = "none"


class Posterolateral(StrEnum):
    BILATERAL = "bilateral"
    UNILATERAL = "unilateral"
    NONE = "none"


class BilskyGrade(StrEnum):
    GRADE_0 = "0"
    GRADE_1A = "1a"
    GRADE_1B = "1b"
    GRADE_1C = "1c"
    GRADE_2 = "2"
    GRADE_3 = "3"


class SpinalLevel(StrEnum):
    """The levels SINS scores, cranial to caudal (C0 is the occiput; the coccyx is not scored)."""

    C0 = "C0"
    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    C6 = "C6"
    C7 = "C7"
    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"
    T5 = "T5"
    T6 = "T6"
    T7 = "T7"
    T8 = "T8"
    T9 = "T9"
    T10 = "T10"
    T11 = "T11"
    T12 = "T12"
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"
    L5 = "L5"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"
    S4 = "S4"
    S5 = "S5"


class BoneModifyingAgent(StrEnum):
    ZOLEDRONIC_ACID = "zoledronic_acid"
    DENOSUMAB = "denosumab"


class SinsBand(StrEnum):
    STABLE = "stable"
    INDETERMINATE = "indeterminate"
    UNSTABLE = "unstable"


class TokuhashiSurvival(StrEnum):
    UNDER_6_MONTHS = "under_6_months"
    SIX_MONTHS_OR_MORE = "6_months_or_more"
    ONE_YEAR_OR_MORE = "1_year_or_more"


class TomitaGrowth(StrEnum):
    SLOW = "slow"
    MODERATE = "moderate"
    RAPID = "rapid"


class TomitaGoal(StrEnum):
    LONG_TERM_LOCAL_CONTROL = "long_term_local_control"
    MIDDLE_TERM_LOCAL_CONTROL = "middle_term_local_control"
    SHORT_TERM_PALLIATION = "short_term_palliation"
    TERMINAL_CARE = "terminal_care"


class BauerBand(StrEnum):
    SUPPORTIVE_CARE = "supportive_care"
    SHORT_TERM_PALLIATION = "short_term_palliation"
    MIDDLE_TERM_LOCAL_CONTROL = "middle_term_local_control"


class NomsNeurological(StrEnum):
    LOW_GRADE = "low_grade"
    HIGH_GRADE = "high_grade"


class NomsOncological(StrEnum):
    RADIOSENSITIVE = "radiosensitive"
    RADIORESISTANT = "radioresistant"
    UNKNOWN = "unknown"


class NomsMechanical(StrEnum):
    STABLE = "stable"
    POTENTIALLY_UNSTABLE = "potentially_unstable"
    UNSTABLE = "unstable"


class NomsSystemic(StrEnum):
    FIT = "fit"
    UNFIT = "unfit"


class NomsPathway(StrEnum):
    PALLIATIVE_CARE = "palliative_care"
    BIOPSY = "biopsy"
    SEPARATION_SURGERY_SRS = "separation_surgery_srs"
    EN_BLOC_RESECTION = "en_bloc_resection"
    SRS = "srs"
    SYSTEMIC_THERAPY_OBSERVATION = "systemic_therapy_observation"
    CEBRT = "cebrt"


class TriggerCode(StrEnum):
    BACK_PAIN = "back_pain"
    SINS_7_OR_MORE = "sins_7_or_more"
    EPIDURAL_EXTENSION = "epidural_extension"
    NEUROLOGICAL_DEFICIT = "neurological_deficit"
    RAPID_PROGRESSION = "rapid_progression"
    ISOLATED_LESION = "isolated_lesion"
    OCCULT_PRIMARY = "occult_primary"


class ReferralDirection(StrEnum):
    BREAST_TO_NEURO = "breast_to_neuro"
    NEURO_TO_BREAST = "neuro_to_breast"


class Urgency(StrEnum):
    RED = "red"
    ORANGE = "orange"
    GREEN = "green"


class Severity(StrEnum):
    BLOCK = "block"
    WARNING = "warning"
    INFO = "info"


class TimingCode(StrEnum):
    ANC_AT_OR_BELOW_1500 = "anc_at_or_below_1500"
    CDK46_INHIBITOR = "cdk46_inhibitor"
    BONE_AGENT_WITHIN_4_WEEKS = "bone_agent_within_4_weeks"
    BONE_AGENT_PAUSE = "bone_agent_pause"
    EMERGENCY_OVERRIDE = "emergency_override"
    LUMINAL_A_ELECTIVE_DEFERRAL = "luminal_a_elective_deferral"
    TRIPLE_NEGATIVE_SURGERY_WITHIN_HOURS = "triple_negative_surgery_within_hours"


class CandidacyCode(StrEnum):
    EXPECTED_SURVIVAL_OVER_3_MONTHS = "expected_survival_over_3_months"
    GENERAL_CONDITION_TOLERATES_SURGERY = "general_condition_tolerates_surgery"
    BETTER_QUALITY_OF_LIFE_AND_MOBILITY = "better_quality_of_life_and_mobility"
    LONG_TUMOUR_FREE_SURVIVAL = "long_tumour_free_survival"
    ISOLATED_BONE_METASTASIS = "isolated_bone_metastasis"
    HIGH_PATHOLOGICAL_FRACTURE_RISK = "high_pathological_fracture_risk"
