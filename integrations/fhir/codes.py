"""Code systems, codes and profiles of the FHIR export, each with where it was looked up.

Our own systems live under ``settings.FHIR_CANONICAL_BASE`` (an operator sets a stable public
URL; the default is where this service serves them), read at call time so that a changed setting
takes effect without a restart of the import graph.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
# Identifier type MR "Medical record number" (HL7 v2 table 0203), as in the mCODE and US Core
# patient examples (type.coding system/code/display).
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"

# mCODE STU profiles (hl7.org/fhir/us/mcode, StructureDefinition-<id>.html; the canonical URL is
# the same in STU2, STU3 and STU4).
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition"
PROFILE_PATIENT = f"{MCODE}/mcode-cancer-patient"
PROFILE_PRIMARY = f"{MCODE}/mcode-primary-cancer-condition"
PROFILE_SECONDARY = f"{MCODE}/mcode-secondary-cancer-condition"
PROFILE_TUMOR_MARKER = f"{MCODE}/mcode-tumor-marker-test"
PROFILE_ECOG = f"{MCODE}/mcode-ecog-performance-status"
PROFILE_KARNOFSKY = f"{MCODE}/mcode-karnofsky-performance-status"

# SNOMED CT disorders.
# 372137005 "Primary malignant neoplasm of breast (disorder)" (used as the primary breast cancer
# condition code in breast-cancer FHIR profiles built on mCODE).
BREAST_PRIMARY = (SNOMED, "372137005", "Primary malignant neoplasm of breast")
# 94222008 "Secondary malignant neoplasm of bone": mCODE SecondaryCancerCondition takes a code
# under 128462008 "Secondary malignant neoplastic disease" (mCODE secondary cancer condition
# usage notes); the vertebral levels go to bodySite.
BONE_SECONDARY = (SNOMED, "94222008", "Secondary malignant neoplasm of bone")
# Result values of a tumour marker test: 10828004 "Positive (qualifier value)" (the mCODE tumour
# marker example) and 260385009 "Negative (qualifier value)".
POSITIVE = (SNOMED, "10828004", "Positive")
NEGATIVE = (SNOMED, "260385009", "Negative")

# LOINC tumour marker tests, each as used with the mCODE TumorMarkerTest profile:
# 85337-4 ER and 85339-0 PR "... Ag [Presence] in Breast cancer specimen by Immune stain",
# 48676-1 "HER2 [Interpretation] in Tissue".
ER = (LOINC, "85337-4", "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain")
PR = (LOINC, "85339-0",
      "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain")
HER2 = (LOINC, "48676-1", "HER2 [Interpretation] in Tissue")
# Performance status, the codes the mCODE profiles fix (Observation.code, value an integer):
# 89247-1 "ECOG Performance Status score", 89243-0 "Karnofsky Performance Status score".
ECOG = (LOINC, "89247-1", "ECOG Performance Status score")
KARNOFSKY = (LOINC, "89243-0", "Karnofsky Performance Status score")

# The spine scores have no LOINC or SNOMED CT codes: one CodeSystem of ours, served at its own
# canonical URL (views: CodeSystem/spine-scores). Ki-67 is here too: no LOINC code for the Ki-67
# index of a breast cancer specimen was confirmed, and we do not guess one.
SCORE_CONCEPTS: dict[str, str] = {
    "spine-metastasis-assessment": "Spinal metastasis scores",
    "sins-max": "SINS, highest of the lesions",
    "sins": "Spinal Instability Neoplastic Score (SINS)",
    "sins-location": "SINS location",
    "sins-pain": "SINS pain",
    "sins-bone-lesion": "SINS bone lesion",
    "sins-alignment": "SINS radiographic alignment",
    "sins-collapse": "SINS vertebral body collapse",
    "sins-posterolateral": "SINS posterolateral involvement",
    "bilsky": "Bilsky epidural spinal cord compression grade",
    "noms": "NOMS framework",
    "noms-neurological": "NOMS neurological",
    "noms-oncological": "NOMS oncological",
    "noms-mechanical": "NOMS mechanical",
    "noms-systemic": "NOMS systemic",
    "noms-pathway": "NOMS treatment pathway",
    "tokuhashi-revised": "Revised Tokuhashi score",
    "tomita": "Tomita score",
    "ki67": "Ki-67 proliferation index",
}


def canonical() -> str:
    return str(settings.FHIR_CANONICAL_BASE)


def scores_system() -> str:
    return f"{canonical()}/CodeSystem/spine-scores"


def system(name: str) -> str:
    """One of our own systems: CodeSystem/<name> or NamingSystem/<name>."""
    return f"{canonical()}/{name}"


def mrn_system(institution_code: str) -> str:
    """MRNs are unique within an institution (DESIGN.md, Domain): one system per institution."""
    return f"{canonical()}/NamingSystem/mrn/{institution_code}"


def coding(code: tuple[str, str, str]) -> dict[str, Any]:
    return {"system": code[0], "code": code[1], "display": code[2]}


def concept(code: tuple[str, str, str]) -> dict[str, Any]:
    return {"coding": [coding(code)], "text": code[2]}


def score_concept(code: str, display: str = "") -> dict[str, Any]:
    display = display or SCORE_CONCEPTS[code]
    return {"coding": [{"system": scores_system(), "code": code, "display": display}],
            "text": display}


def category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}]


def code_system() -> dict[str, Any]:
    """The CodeSystem resource of our spine scores, served at its canonical URL."""
    return {
        "resourceType": "CodeSystem",
        "id": "spine-scores",
        "url": scores_system(),
        "name": "SpineScores",
        "title": "Spinal metastasis scores of the tumor board service",
        "status": "active",
        "experimental": False,
        "publisher": "Tumor board service",
        "description": "Scores of CLINICAL.md (SINS, Bilsky, NOMS, revised Tokuhashi, Tomita) "
                       "as the service computes them, and the Ki-67 index.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(SCORE_CONCEPTS),
        "concept": [{"code": code, "display": display}
                    for code, display in SCORE_CONCEPTS.items()],
    }
