"""Display labels, version 1: every code a person reads (a pathway, a trigger, a status, a phase,
a subtype, a role...) in the words a clinician would write. The one place for them: templates use
the ``label`` and ``words`` filters of ``tumorboard.templatetags.tb``, Python code (the packet, the
minutes, e-mails) calls :func:`label`. Codes stay the storage and API values; only the screen, the
PDF and the mail change. ``tests/tumorboard/test_labels.py`` checks every code of every choice has
its words here.

tumorboard is a low layer: this module imports no app; it names the codes as literals.
"""

from __future__ import annotations

import re
from typing import Final

LABELS_VERSION: Final = "labels-v1"

#: Kind of code -> code -> words. A kind keeps the same code apart where it reads differently
#: ("unknown" subtype and "unknown" primary).
LABELS: Final[dict[str, dict[str, str]]] = {
    "pathway": {  # NOMS pathways (CLINICAL.md §5, §7)
        "palliative_care": "Palliative care", "biopsy": "Biopsy",
        "separation_surgery_srs": "Separation surgery then SRS",
        "en_bloc_resection": "En bloc resection", "srs": "SRS (stereotactic radiosurgery)",
        "cebrt": "Conventional external beam radiotherapy (cEBRT)",
        "systemic_therapy_observation": "Systemic therapy and observation",
    },
    "trigger": {  # referral triggers (CLINICAL.md §8)
        "back_pain": "New or progressive back pain", "sins_7_or_more": "SINS 7 or more",
        "epidural_extension": "Epidural extension", "neurological_deficit": "Neurological deficit",
        "rapid_progression": "Rapid progression", "isolated_lesion": "Isolated spinal lesion",
        "occult_primary": "Occult primary",
    },
    "subtype": {  # CLINICAL.md §12
        "luminal_a": "Luminal A", "luminal_b": "Luminal B", "her2_enriched": "HER2-enriched",
        "triple_negative": "Triple-negative", "unknown": "Subtype unknown",
    },
    "primary_status": {
        "known_breast": "Known breast cancer", "suspected_breast": "Suspected breast cancer",
        "unknown": "Unknown primary",
    },
    "direction": {"breast_to_neuro": "Breast team to spine team",
                  "neuro_to_breast": "Spine team to breast team"},
    "referral_status": {
        "raised": "Raised", "sent": "Sent", "acknowledged": "Acknowledged",
        "accepted": "Accepted", "declined": "Declined", "info_requested": "Information requested",
        "listed_for_mdt": "Listed for MDT", "closed": "Closed", "cancelled": "Cancelled",
    },
    "referral_action": {
        "send": "Send", "acknowledge": "Acknowledge", "accept": "Accept", "decline": "Decline",
        "raise": "Raise", "request_info": "Ask for information", "answer": "Answer",
        "list_for_mdt": "List for MDT",
        "close": "Close", "cancel": "Cancel", "resolve": "Resolved by the MDT decision",
        "confirm_primary": "Breast primary confirmed by the work-up",
        "exclude_primary": "Closed: the work-up excludes the breast",
        "workup_result": "Work-up result recorded",
        "workup_tick": "Work-up item done",
    },
    "phase": {
        "initial_diagnosis": "Initial diagnosis",
        "spine_metastasis_detection": "Spine metastasis detection",
        "mdt_tumor_board": "MDT tumor board", "pre_operative": "Pre-operative",
        "surgery": "Surgery", "post_operative": "Post-operative", "surveillance": "Surveillance",
    },
    "role": {
        "breast_oncosurgeon": "Breast oncosurgeon", "neurosurgeon": "Neurosurgeon",
        "coordinator": "MDT coordinator", "radiation_oncologist": "Radiation oncologist",
        "medical_oncologist": "Medical oncologist", "admin": "Administrator",
        "palliative_care_physician": "Palliative care physician",
        "physiotherapist": "Physiotherapist",
        "integration": "Hospital system (API)", "chair": "Chair",
    },
    "meeting_status": {"planned": "Planned", "agenda_locked": "Agenda locked",
                       "in_session": "In session", "finalized": "Finalized"},
    "sins_band": {"stable": "Stable", "indeterminate": "Indeterminate (potentially unstable)",
                  "unstable": "Unstable"},
    "survival": {"under_6_months": "Under 6 months", "6_months_or_more": "6 months or more",
                 "1_year_or_more": "1 year or more"},
    "goal": {  # Tomita goals and Bauer bands
        "long_term_local_control": "Long-term local control",
        "middle_term_local_control": "Middle-term local control",
        "short_term_palliation": "Short-term palliation", "terminal_care": "Terminal care",
        "supportive_care": "Supportive care",
    },
    "noms": {
        "low_grade": "Low-grade compression", "high_grade": "High-grade compression",
        "radiosensitive": "Radiosensitive", "radioresistant": "Radioresistant",
        "unknown": "Histology unknown", "stable": "Stable",
        "potentially_unstable": "Potentially unstable", "unstable": "Unstable", "fit": "Fit",
        "unfit": "Unfit",
    },
    "collapse": {"over_50": "Collapse over 50%", "under_50": "Collapse under 50%",
                 "involved_over_50": "No collapse, over 50% of the body involved",
                 "none": "No collapse"},
    "visceral": {"none": "None", "removable": "Removable", "treatable": "Treatable",
                 "untreatable": "Untreatable"},
    "agent": {"zoledronic_acid": "Zoledronic acid", "denosumab": "Denosumab"},
    # CLINICAL.md §16: systemic therapy classes and radiotherapy techniques.
    "therapy_class": {
        "endocrine": "Endocrine therapy", "cdk46_inhibitor": "CDK4/6 inhibitor",
        "anti_her2": "Anti-HER2 therapy", "chemotherapy": "Chemotherapy",
        "adc": "Antibody-drug conjugate", "immunotherapy": "Immunotherapy",
        "bone_modifying_agent": "Bone-modifying agent",
    },
    "rt_timing": {"before_wound_healing": "Before wound healing (under 14 days)",
                  "in_window": "In the 14-28 day window",
                  "after_window": "After the 14-28 day window",
                  "late": "Later than 35 days"},
    "rt_technique": {"sbrt": "SBRT (stereotactic body radiotherapy)",
                     "cebrt": "cEBRT (conventional external beam radiotherapy)"},
    "severity": {"block": "Blocks surgery", "warning": "Warning", "info": "For information"},
    "timing": {
        "anc_at_or_below_1500": "Neutrophils at or below 1500/mm³",
        "cdk46_inhibitor": "CDK4/6 inhibitor", "bone_agent_within_4_weeks":
            "Bone-modifying agent within 4 weeks", "bone_agent_pause": "Bone-modifying agent pause",
        "emergency_override": "Emergency overrides the timing checks",
        "luminal_a_elective_deferral": "Luminal A: elective surgery may wait",
        "triple_negative_surgery_within_hours": "Triple-negative: surgery within hours",
    },
    "alert": {
        "new_referral": "New referral", "referral_updated": "New triggers on a referral",
        "systemic_therapy_hold": "Hold or adjust systemic therapy",
        "info_requested": "Information requested", "answered": "Question answered",
        "decided": "Triage decision", "cancelled": "Referral cancelled",
        "decision_responsible": "You are responsible for an MDT decision",
        "escalation_team": "Escalation: receiving team",
        "escalation_lead": "Escalation: lead and coordinator",
        "weekend_watch": "Weekend watch: due before the next working day",
        "task_assigned": "A follow-through task is yours",
        "task_unassigned": "A follow-through task has no owner",
        "task_overdue": "Your follow-through task is overdue",
        "task_escalated": "Overdue follow-through task (escalated)",
    },
    "packet_kind": {"packet": "Meeting packet", "minutes": "Minutes"},
    "outcome": {
        "independent": "Walks independently", "with_aid": "Walks with an aid",
        "non_ambulatory": "Non-ambulatory", "not_applicable": "No implant", "intact": "Intact",
        "loosening": "Loosening", "failure": "Failure", "not_assessed": "Not assessed",
        "controlled": "Local control", "progression": "Local progression", "alive": "Alive",
        "deceased": "Deceased",
    },
    "complication": {  # cases.models.surgery.Complication (issue 19)
        "dural_tear": "Dural tear", "wound": "Wound infection or dehiscence",
        "haematoma": "Epidural haematoma", "neuro_deterioration": "Neurological deterioration",
        "implant": "Implant malposition or failure",
        "blood_loss": "Major blood loss (transfusion)", "other": "Other",
    },
    "urgency": {"red": "Red (emergency)", "orange": "Orange (urgent)", "green": "Green (elective)"},
    "trigger_source": {"rules": "Raised by the rules", "manual": "Flagged by hand"},
    "invitation": {"CHAIR": "Chair", "REQ-PARTICIPANT": "Required for quorum",
                   "OPT-PARTICIPANT": "Optional", "NON-PARTICIPANT": "For information"},
    "item_source": {"auto": "Eligible (populated)", "manual": "Added by a clinician"},
    "specialty": {  # preliminary opinions (meetings.models.Specialty)
        "breast_oncosurgery": "Breast oncosurgery", "neurosurgery": "Neurosurgery",
        "radiation_oncology": "Radiation oncology", "medical_oncology": "Medical oncology",
        "palliative_care": "Palliative care", "radiology": "Radiology",
    },
    "completeness": {"complete": "Complete", "partial": "Incomplete", "missing": "Missing"},
}

#: The urgency colours (CLINICAL.md §9), always shown with their words (never colour alone).
URGENCY: Final[dict[str, str]] = {"red": "Red · emergency, within 24 hours",
                                  "orange": "Orange · urgent, within 72 hours",
                                  "green": "Green · elective, within 7 days"}

#: Any code that reads as a code (it has an underscore) to words, for the places that do not name
#: the kind; the first kind wins a clash. A plain word ("none", "unstable") keeps its own reading.
WORDS: Final[dict[str, str]] = {}
for _table in LABELS.values():
    for _code, _words in _table.items():
        if "_" in _code:
            WORDS.setdefault(_code, _words)


def label(code: object, kind: str | None = None) -> str:
    """``code`` in words; an unknown code reads with spaces for underscores, never raw."""
    if code is None or code == "":
        return ""
    key = str(code)
    found = (LABELS.get(kind, {}) if kind else {}).get(key) or WORDS.get(key)
    if found:
        return found
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


#: Field names whose words are not the name with spaces (for errors that name a field the page
#: does not show next to the message). Forms name their fields from the models' verbose names.
FIELDS: Final[dict[str, str]] = {
    "kps": "KPS", "ecog": "ECOG", "asia": "ASIA", "er": "ER positive", "pr": "PR positive",
    "her2": "HER2 positive", "ki67": "Ki-67 (%)", "anc_per_mm3": "Last ANC (/mm³)",
    "anc_date": "ANC date", "albumin_g_dl": "Albumin (g/dL)", "bilsky": "Bilsky grade",
    "cdk46_inhibitor": "On a CDK4/6 inhibitor", "mrn": "MRN", "pain_nrs": "Pain (NRS 0-10)",
    "quorum_override_reason": "Why finalize without quorum (only when quorum is not met)",
    "levels": "Spinal levels", "lesions": "Lesions", "sins": "SINS",
    "deficit_onset_at": "Deficit onset",
}


def field_label(name: object) -> str:
    """A field name as the form shows it: "extraspinal_bone_metastases" -> "Extraspinal bone
    metastases"; a path "lesions[0].collapse" -> "Collapse"."""
    key = str(name or "").rsplit(".", 1)[-1].split("[", 1)[0]
    if key in FIELDS:
        return FIELDS[key]
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


_INTERNAL_REFERENCE = re.compile(
    r"\s*[;,]?\s*\(?(?:CLINICAL|DESIGN)\.md\s*§\s*[\w.\-]+\)?|\s*\((?:S\d\s*)?§\s*[\w.\-]+\)")


def without_sections(text: object) -> str:
    """A sentence from the rules without the service's own document sections: "Fisher CG et al.,
    Spine 2010 (SINS); CLINICAL.md §1" -> "Fisher CG et al., Spine 2010 (SINS)". The literature
    reference stays; the section numbers are for the code."""
    return _INTERNAL_REFERENCE.sub("", str(text or "")).strip()


def duration(hours: int | float) -> str:
    """A due time in plain words: 24 -> "24 hours", 168 -> "7 days"."""
    if hours % 24 == 0 and hours >= 48 and hours != 72:
        return f"{int(hours // 24)} days"
    return f"{hours:g} hours" if hours != 1 else "1 hour"


def percent(share: float | None, digits: int = 0) -> str:
    """A share (0..1) as a percentage: 0.5 -> "50%"; ``None`` -> "—"."""
    if share is None:
        return "—"
    return f"{share * 100:.{digits}f}%"
