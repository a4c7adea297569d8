"""The seven-phase care timeline: one table of allowed moves and one table of duties.

S2 §6 and Table 4 (phase-by-phase roles of the breast oncosurgeon and the neurosurgeon); DESIGN.md,
Domain, "Care timeline". Everything that decides whether a move is allowed, or what a specialty
must do in a phase, is read from the tables below: the services, the pages and the API never
re-state them. Bump ``TIMELINE_VERSION`` whenever a table changes; each phase event stores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from django.db import models

TIMELINE_VERSION: Final = "2026.1"


class Phase(models.TextChoices):
    INITIAL_DIAGNOSIS = "initial_diagnosis", "Initial diagnosis"
    SPINE_METASTASIS_DETECTION = "spine_metastasis_detection", "Spine metastasis detection"
    MDT_TUMOR_BOARD = "mdt_tumor_board", "MDT tumor board"
    PRE_OPERATIVE = "pre_operative", "Pre-operative"
    SURGERY = "surgery", "Surgery"
    POST_OPERATIVE = "post_operative", "Post-operative"
    SURVEILLANCE = "surveillance", "Surveillance"


class Specialty(models.TextChoices):
    """The specialties around the patient (S2 Table 4: the two surgeons; Table 3 and §6.2, §7:
    radiation oncology, medical oncology, palliative care, physiotherapy); values are the
    matching user roles."""

    BREAST_ONCOSURGEON = "breast_oncosurgeon", "Breast oncosurgeon"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    RADIATION_ONCOLOGIST = "radiation_oncologist", "Radiation oncologist"
    MEDICAL_ONCOLOGIST = "medical_oncologist", "Medical oncologist"
    PALLIATIVE_CARE_PHYSICIAN = "palliative_care_physician", "Palliative care physician"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"


#: A case opens in initial diagnosis (breast oncosurgeon first), or directly in spine metastasis
#: detection when the neurosurgeon is the first point of contact (S2 §3.1).
START_PHASES: Final = (Phase.INITIAL_DIAGNOSIS, Phase.SPINE_METASTASIS_DETECTION)

#: Every allowed move, with what it means clinically. Anything not listed is refused (HTTP 409).
ALLOWED_MOVES: Final[Mapping[tuple[Phase, Phase], str]] = MappingProxyType(
    {
        (Phase.INITIAL_DIAGNOSIS, Phase.SPINE_METASTASIS_DETECTION):
            "Spinal lesion found on staging or surveillance imaging.",
        (Phase.SPINE_METASTASIS_DETECTION, Phase.MDT_TUMOR_BOARD):
            "Referred and worked up: listed for the spine MDT.",
        (Phase.MDT_TUMOR_BOARD, Phase.PRE_OPERATIVE):
            "Surgical pathway decided at the MDT.",
        # The non-surgical pathway (S2 §7): radiotherapy (cEBRT or SRS) or systemic therapy alone.
        (Phase.MDT_TUMOR_BOARD, Phase.SURVEILLANCE):
            "Non-surgical pathway (radiotherapy or systemic therapy): surveillance.",
        # Optimisation fails or the picture changes: the plan goes back to the board.
        (Phase.PRE_OPERATIVE, Phase.MDT_TUMOR_BOARD):
            "Back to the MDT before surgery (plan to be reconsidered).",
        (Phase.PRE_OPERATIVE, Phase.SURGERY): "Taken to theatre.",
        (Phase.SURGERY, Phase.POST_OPERATIVE): "Operation done: post-operative care.",
        (Phase.POST_OPERATIVE, Phase.SURVEILLANCE): "Recovered: long-term surveillance.",
        # S2 Table 4, surveillance: re-operation decision if progression.
        (Phase.SURVEILLANCE, Phase.SPINE_METASTASIS_DETECTION):
            "Progression on surveillance: spinal disease re-enters detection.",
    }
)  # fmt: skip


def allowed_moves(from_phase: str) -> list[Phase]:
    """The phases a case in ``from_phase`` may move to, in timeline order."""
    return [to for (src, to) in ALLOWED_MOVES if src == from_phase]


def is_allowed(from_phase: str, to_phase: str) -> bool:
    return (Phase(from_phase), Phase(to_phase)) in ALLOWED_MOVES


@dataclass(frozen=True, slots=True)
class Duty:
    code: str
    specialty: Specialty
    label: str


_B, _N = Specialty.BREAST_ONCOSURGEON, Specialty.NEUROSURGEON
_R, _M = Specialty.RADIATION_ONCOLOGIST, Specialty.MEDICAL_ONCOLOGIST
_P, _F = Specialty.PALLIATIVE_CARE_PHYSICIAN, Specialty.PHYSIOTHERAPIST

#: The version of the duty table: 1 was S2 Table 4 (the two surgeons); 2 adds the duties of
#: radiation oncology, medical oncology, palliative care and physiotherapy (S2 Table 3: post-op
#: systemic therapy [breast surgeon + medical oncologist], SBRT [radiation oncologist],
#: rehabilitation [physiotherapy + both surgeons]; §6.2 and §7: the full MDT, palliative care).
DUTIES_VERSION: Final = "2"

#: S2 Table 4, one row per phase, each cell split into the duties it names; then the duties of
#: the other specialties in that phase (S2 Table 3, service policy v2).
DUTIES: Final[Mapping[Phase, tuple[Duty, ...]]] = MappingProxyType(
    {
        Phase.INITIAL_DIAGNOSIS: (
            Duty("primary_resection", _B, "Primary tumour resection"),
            Duty("staging_workup", _B, "Staging work-up"),
            Duty("bone_scan_pet_ct", _B, "Bone scan / PET-CT"),
            Duty("initiate_systemic_therapy", _B, "Initiate systemic therapy"),
            Duty("neuro_review_if_symptomatic", _N,
                 "Not yet involved unless neurological symptoms are present: review if so"),
            Duty("neoadjuvant_systemic_plan", _M, "Plan systemic therapy for the primary"),
        ),
        Phase.SPINE_METASTASIS_DETECTION: (
            Duty("identify_spinal_lesion", _B,
                 "Identify the spinal lesion on surveillance imaging"),
            Duty("review_sins", _B, "Review the SINS score"),
            Duty("decide_referral_trigger", _B, "Decide on the referral trigger"),
            Duty("receive_referral", _N, "Receive the referral"),
            Duty("neurological_examination", _N, "Neurological examination"),
            Duty("order_mri_spine", _N, "Order MRI of the spine with contrast"),
            Duty("radiotherapy_triage", _R,
                 "Radiotherapy triage of the lesion (cEBRT / SRS candidate?)"),
            Duty("pain_assessment", _P, "Assess pain and analgesic needs"),
        ),
        Phase.MDT_TUMOR_BOARD: (
            Duty("present_molecular_subtype", _B, "Present the molecular subtype"),
            Duty("present_systemic_therapy", _B, "Present the systemic therapy status"),
            Duty("present_prognosis", _B, "Present the prognosis"),
            Duty("present_performance_status", _B, "Present the performance status"),
            Duty("present_sins_noms", _N, "Present the SINS / NOMS assessment"),
            Duty("present_compression_grade", _N, "Present the cord compression (Bilsky) grade"),
            Duty("present_surgical_risk_benefit", _N, "Present the surgical risk-benefit analysis"),
            Duty("present_radiotherapy_options", _R,
                 "Present the radiotherapy options (cEBRT, SRS, SBRT)"),
            Duty("present_systemic_plan", _M, "Present the systemic therapy plan"),
            Duty("palliative_goals_of_care", _P, "Symptoms and goals of care for the board"),
        ),
        Phase.PRE_OPERATIVE: (
            Duty("optimise_nutrition_haematology", _B,
                 "Optimise nutritional and haematological status"),
            Duty("coordinate_bone_agent_pause", _B, "Coordinate the bone-modifying agent pause"),
            Duty("correct_anaemia", _B, "Correct anaemia"),
            Duty("plan_surgery", _N, "Surgical planning: approach, levels, implants"),
            Duty("embolisation_if_hypervascular", _N, "Embolisation if hypervascular"),
            Duty("coordinate_anaesthesia", _N, "Anaesthesia coordination"),
            Duty("systemic_therapy_hold", _M, "Plan the systemic therapy hold before surgery"),
            Duty("prehabilitation", _F, "Pre-operative mobility and function assessment"),
        ),
        Phase.SURGERY: (
            Duty("primary_control_if_progressing", _B,
                 "Primary tumour control if simultaneously progressing"),
            Duty("lymphoedema_wound_assessment", _B, "Lymphoedema / wound assessment"),
            Duty("decompression_stabilisation", _N,
                 "Decompression and/or stabilisation (separation surgery, en bloc, MIS, "
                 "kyphoplasty)"),
            Duty("record_surgical_details", _N,
                 "Record the operation: approach, levels, instrumentation, complications"),
        ),
        Phase.POST_OPERATIVE: (
            Duty("resume_systemic_therapy", _B, "Resume systemic therapy"),
            Duty("coordinate_sbrt_referral", _B, "Coordinate the SBRT / SRS referral"),
            Duty("monitor_primary_site", _B, "Monitor the primary site"),
            Duty("neurological_recovery_assessment", _N, "Neurological recovery assessment"),
            Duty("rehabilitation_coordination", _N, "Rehabilitation coordination"),
            Duty("wound_surveillance", _N, "Wound surveillance"),
            Duty("restart_systemic_therapy", _M,
                 "Restart systemic therapy with the breast oncosurgeon"),
            Duty("postoperative_sbrt", _R, "Post-operative SBRT / SRS to the operated levels"),
            Duty("rehabilitation_programme", _F, "Rehabilitation: mobilisation and walking"),
            Duty("symptom_control", _P, "Symptom control and pain management"),
        ),
        Phase.SURVEILLANCE: (
            Duty("regular_pet_ct_bone_scan", _B, "Regular PET-CT / bone scan"),
            Duty("new_metastasis_detection", _B, "New metastasis detection"),
            Duty("adjust_endocrine_chemotherapy", _B, "Endocrine / chemotherapy adjustment"),
            Duty("follow_up_mri_spine", _N, "Follow-up MRI of the spine"),
            Duty("implant_integrity_check", _N, "Implant integrity check"),
            Duty("reoperation_decision", _N, "Re-operation decision if progression"),
            Duty("radiotherapy_response_review", _R, "Review the response to radiotherapy"),
            Duty("systemic_response_review", _M, "Review the systemic therapy response"),
            Duty("ambulation_review", _F, "Review ambulatory status at follow-up"),
            Duty("palliative_review", _P, "Review pain, analgesics and goals of care"),
        ),
    }
)  # fmt: skip


#: *Service policy v1* (named and versioned): the duty a recorded fact fulfils. Recording the
#: fact ticks the duty of the case's current stay when that phase has it and it is open; the
#: tick names who recorded the fact and the fact (cases.services.duties_fulfilled).
FACT_DUTIES_VERSION: Final = "1"
FACT_DUTIES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "lesion_recorded": ("identify_spinal_lesion",),
    "imaging_recorded": ("follow_up_mri_spine",),
    "assessment_recorded": ("review_sins",),
    "surgery_recorded": ("decompression_stabilisation", "record_surgical_details"),
    "followup_recorded": ("ambulation_review", "palliative_review"),
    "workup_result_recorded": ("staging_workup",),
})
FACT_WORDS: Final[Mapping[str, str]] = MappingProxyType({
    "lesion_recorded": "a spinal lesion was recorded",
    "imaging_recorded": "a spinal imaging study was recorded",
    "assessment_recorded": "an assessment was run",
    "surgery_recorded": "the operation was recorded",
    "followup_recorded": "a follow-up visit was recorded",
    "workup_result_recorded": "a work-up result was recorded",
})


def duties(phase: str) -> tuple[Duty, ...]:
    return DUTIES[Phase(phase)]


def duty(phase: str, code: str) -> Duty | None:
    return next((item for item in DUTIES[Phase(phase)] if item.code == code), None)


def next_open_duty(phase: str, done_codes: set[str], specialty: str | None) -> Duty | None:
    """The first duty of ``phase`` not yet ticked, for one specialty (or any when None)."""
    for item in DUTIES[Phase(phase)]:
        if item.code not in done_codes and (specialty is None or item.specialty == specialty):
            return item
    return None
