"""What the scores mean: the view model of the case page's summary, read from the latest stored
assessment as it is (what the MDT saw stays what it saw).

Nothing is scored here: every class, reason and check is the scoring core's, stored in the
assessment's ``result``; this module only chooses what a clinician reads first and puts it in
sentences. The meanings follow CLINICAL.md: mechanical instability and its consequence (§1 bands,
§7 M arm: stabilisation indicated at SINS 13-18, surgical consultation at 7-12), high-grade
compression (§2: Bilsky 2-3), the four NOMS arms with their reasons and the pathway (§7, policy
v2; a result without ``policy_version`` was computed under v1), surgery candidacy with its evidence
(§11) and the timing of surgery around systemic therapy (§10). Section numbers stay here, never on
screen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from .models import Assessment, Case

#: The policy a stored NOMS result was computed under when it does not say (§7: v1 results stay
#: as they were).
NOMS_POLICY_BEFORE_V2: Final = "v1"

#: Mechanical instability by the core's M class (§1 bands, §7 M arm): what it means, what follows.
MECHANICAL_MEANING: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "unstable": ("Mechanically unstable", "stabilisation indicated (SINS 13-18)"),
    "potentially_unstable": ("Potentially unstable", "surgical consultation (SINS 7-12)"),
    "stable": ("Mechanically stable", "no stabilisation needed (SINS 0-6)"),
})  # fmt: skip
#: Epidural compression by Bilsky grade (§2; high grade is 2 and 3).
COMPRESSION_MEANING: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "3": ("High-grade cord compression", "the cord is compressed, no CSF visible around it"),
    "2": ("High-grade cord compression", "the cord is compressed, CSF still visible around it"),
    "1c": ("Low-grade epidural compression",
           "the cord is abutted, not compressed (whether 1c counts as high grade is debated)"),
    "1b": ("Low-grade epidural compression", "the thecal sac is deformed, the cord not abutted"),
    "1a": ("Low-grade epidural disease", "epidural impingement, the thecal sac not deformed"),
    "0": ("No epidural disease", "bone-only disease"),
})  # fmt: skip
HIGH_GRADE_BILSKY: Final = frozenset({"2", "3"})
#: The four NOMS arms in the order of the framework, with the heading a clinician reads.
ARMS: Final = (("neurological", "Neurological"), ("oncological", "Oncological"),
               ("mechanical", "Mechanical"), ("systemic", "Systemic"))  # fmt: skip
#: §11 checklist answers in words (``None``: the scores do not tell; the MDT judges).
CANDIDACY_ANSWER: Final = MappingProxyType({True: "yes", False: "no", None: "MDT to judge"})
#: §10 check severities in words.
TIMING_SEVERITY: Final = MappingProxyType({
    "block": "Holds elective surgery", "warning": "Caution", "info": "Note",
})  # fmt: skip
_DOCUMENT_REFERENCE: Final = re.compile(r"\s*\((?:S\d|CLINICAL)[^)]*\)")
STABILISATION_OPTIONS: Final = (
    "pedicle screw fixation, or kyphoplasty or vertebroplasty for a single level"
)


@dataclass(frozen=True, slots=True)
class Finding:
    title: str
    detail: str
    alert: bool  # shown emphasised: a consequence that changes the plan


@dataclass(frozen=True, slots=True)
class Arm:
    name: str
    verdict: str  # the core's class code, shown through the words filter
    reason: str


@dataclass(frozen=True, slots=True)
class Check:
    label: str
    answer: str
    evidence: str
    met: bool | None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    evaluated_at: datetime
    rules_version: str
    policy_version: str
    pathway: str  # code, shown through the pathway filter
    pathway_reason: str
    stabilisation_required: bool
    instability: Finding
    compression: Finding
    arms: tuple[Arm, ...]
    prognosis: str
    candidacy: tuple[Check, ...]
    timing: tuple[Check, ...]
    max_sins: int
    max_bilsky: str


def case_summary(case: Case) -> CaseSummary | None:
    """The summary of ``case`` from its latest stored assessment; ``None`` when not scored yet."""
    assessment = case.latest_assessment
    return assessment_summary(assessment) if assessment is not None else None


def assessment_summary(assessment: Assessment) -> CaseSummary:
    """The summary of one stored assessment, under the policy it was computed with."""
    result: dict[str, Any] = assessment.result or {}
    noms: dict[str, Any] = result.get("noms") or {}
    policy = noms.get("policy_version", NOMS_POLICY_BEFORE_V2)
    reasons = noms.get("reasons") or _v1_reasons(noms)
    sins, bilsky = assessment.max_sins, assessment.max_bilsky
    stabilise = bool(noms.get("stabilisation_required"))
    return CaseSummary(
        evaluated_at=assessment.evaluated_at,
        rules_version=assessment.rules_version,
        policy_version=policy,
        pathway=assessment.pathway,
        pathway_reason=reasons.get("pathway", ""),
        stabilisation_required=stabilise,
        instability=_instability(noms.get("mechanical", ""), sins, stabilise),
        compression=_compression(bilsky),
        arms=tuple(Arm(name, str(noms.get(key, "")), reasons.get(key, "")) for key, name in ARMS),
        prognosis=_prognosis(result),
        candidacy=tuple(
            Check(item.get("label", ""), CANDIDACY_ANSWER[item.get("met")],
                  item.get("evidence", ""), item.get("met"))
            for item in result.get("candidacy", [])
        ),
        timing=tuple(
            Check(TIMING_SEVERITY.get(check.get("severity", ""), "Note"), "",
                  check.get("message", ""), check.get("severity") != "block")
            for check in result.get("timing", [])
        ),
        max_sins=sins,
        max_bilsky=bilsky,
    )


def _instability(mechanical: str, sins: int, stabilise: bool) -> Finding:
    title, consequence = MECHANICAL_MEANING.get(mechanical, ("SINS", ""))
    if stabilise:
        consequence = f"{consequence}: {STABILISATION_OPTIONS}"
    return Finding(f"{title}, SINS {sins} of 18", _sentence(consequence),
                   alert=mechanical != "stable")


def _compression(bilsky: str) -> Finding:
    title, meaning = COMPRESSION_MEANING.get(bilsky, ("Bilsky", ""))
    return Finding(f"{title}, Bilsky {bilsky}", _sentence(meaning),
                   alert=bilsky in HIGH_GRADE_BILSKY)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("." if text else "")


def _prognosis(result: dict[str, Any]) -> str:
    tokuhashi, tomita = result.get("tokuhashi") or {}, result.get("tomita") or {}
    parts = []
    if "total" in tokuhashi:
        survival = str(tokuhashi.get("survival", "")).replace("_", " ")
        survival = survival.replace("6 months or more", "six months or more")
        parts.append(f"Revised Tokuhashi {tokuhashi['total']} of 15: predicted survival {survival}")
    if "total" in tomita:
        goal = str(tomita.get("goal", "")).replace("_term_", "-term ").replace("_", " ")
        parts.append(f"Tomita {tomita['total']} of 10: {goal}")
    return "; ".join(parts) + ("." if parts else "")


def _v1_reasons(noms: dict[str, Any]) -> dict[str, str]:
    """Policy v1 results carry only ``rationale`` ("N high grade: Bilsky 2 compresses the cord.",
    ..., "Pathway cebrt: ..."): keep each arm's sentence after its label; the pathway's own
    sentence named the code, so the v1 pathway is shown by its words alone."""
    rationale = [str(line) for line in noms.get("rationale", [])]
    reasons: dict[str, str] = {}
    for (key, _name), line in zip(ARMS, rationale, strict=False):
        text = line.split(": ", 1)[1] if ": " in line else line
        text = _DOCUMENT_REFERENCE.sub("", text)
        reasons[key] = text[:1].upper() + text[1:]
    reasons["pathway"] = "Computed under the earlier NOMS policy (v1)."
    return reasons
