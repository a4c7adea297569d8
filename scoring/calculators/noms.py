"""NOMS decision, service policy v2 (CLINICAL.md §7).

Laufer I et al. The NOMS framework: approach to the treatment of spinal metastatic tumors.
Oncologist 2013;18(6):744-51, as adapted by S2 §4.1 and Table 3. Policy v2 adds rule 6,
``systemic_therapy_observation``: a painless, stable lesion without compression or deficit is not
sent to radiotherapy (v1 sent it to ``cebrt``). Each arm carries its class and its reason, in the
words a clinician writes (no document references: those stay in this docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NoReturn

from .bilsky import BILSKY_RANK, HIGH_GRADE
from .checks import count_error, enum_error, kps_error, lookup_error
from .enums import (
    BilskyGrade,
    MolecularSubtype,
    NomsMechanical,
    NomsNeurological,
    NomsOncological,
    NomsPathway,
    NomsSystemic,
    PrimarySite,
    VisceralMetastases,
)
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .sins import sins_band
from .version import RULES_VERSION

NOMS_REFERENCE: Final = (
    "Laufer I et al., Oncologist 2013;18(6):744-51 (NOMS); S2 §4.1 and Table 3; CLINICAL.md §7"
)
#: The policy version every result carries (§7: an assessment records the policy it was computed
#: under; a stored result without it was computed under v1).
NOMS_POLICY_VERSION: Final = "v2"

_P = PrimarySite
_O = NomsOncological
#: O arm by histology (§7): breast of every subtype, prostate and carcinoid are radiosensitive; an
#: unknown primary is unknown (biopsy first); every other site radioresistant. Triple-negative
#: breast is the exception (S2's framework), see ``NOMS_RADIORESISTANT_SUBTYPES``.
NOMS_RADIOSENSITIVITY: Final = MappingProxyType(
    dict.fromkeys(PrimarySite, _O.RADIORESISTANT)
    | {_P.BREAST: _O.RADIOSENSITIVE, _P.PROSTATE: _O.RADIOSENSITIVE,
       _P.CARCINOID: _O.RADIOSENSITIVE, _P.UNKNOWN: _O.UNKNOWN}
)  # fmt: skip
NOMS_RADIORESISTANT_SUBTYPES: Final = frozenset({MolecularSubtype.TRIPLE_NEGATIVE})
#: S arm: fit when KPS is 50 or more and Tomita is 7 or less.
NOMS_FIT_MIN_KPS: Final = 50
NOMS_FIT_MAX_TOMITA: Final = 7
#: Oligometastatic (pathway rule 4): 1-2 involved vertebrae, no extraspinal bone metastases, no
#: visceral metastases.
NOMS_OLIGO_MAX_VERTEBRAE: Final = 2
#: Rule 6 (v2): observation only while the worst Bilsky grade is below 1c.
NOMS_OBSERVATION_BELOW_BILSKY: Final = BilskyGrade.GRADE_1C
#: Pathways in the order their rules are tried (§7 v2): the first that matches is the plan; each
#: with the sentence that says why, as a clinician writes it.
NOMS_PATHWAY_RULES: Final = (
    (NomsPathway.PALLIATIVE_CARE, "Palliative care: systemically unfit (palliative "
     "radiotherapy may be given for pain)"),
    (NomsPathway.BIOPSY, "Biopsy first: the primary is unknown, so a CT-guided or open biopsy "
     "comes before any plan"),
    (NomsPathway.SEPARATION_SURGERY_SRS, "Separation surgery then stereotactic radiotherapy: "
     "high-grade cord compression; decompression, then 18-24 Gy in 1-3 fractions"),
    (NomsPathway.EN_BLOC_RESECTION, "En bloc resection: radioresistant disease confined to 1-2 "
     "vertebrae, with no other bone or visceral metastasis"),
    (NomsPathway.SRS, "Stereotactic radiosurgery: radioresistant disease"),
    (NomsPathway.SYSTEMIC_THERAPY_OBSERVATION, "Systemic therapy and observation: painless, "
     "stable, no cord compression and no neurological deficit; systemic therapy and a "
     "bone-modifying agent with imaging surveillance, local treatment when pain, instability, "
     "compression or progression appears"),
    (NomsPathway.CEBRT, "Conventional radiotherapy, 30 Gy in 10 fractions: radiosensitive "
     "disease without high-grade compression that needs local treatment"),
)  # fmt: skip
_MECHANICAL: Final = {
    "stable": NomsMechanical.STABLE,
    "indeterminate": NomsMechanical.POTENTIALLY_UNSTABLE,
    "unstable": NomsMechanical.UNSTABLE,
}
_SITE_WORDS: Final = MappingProxyType(
    {site: site.value.capitalize() for site in PrimarySite}
    | {_P.ESOPHAGUS: "Oesophageal", _P.OTHER: "Other", _P.UNKNOWN: "Unknown"}
)


# Each arm's class and sentence depend on one or two small values: built once, looked up per case.
def _n_arm(grade: BilskyGrade) -> tuple[NomsNeurological, str]:
    if grade in HIGH_GRADE:
        return NomsNeurological.HIGH_GRADE, (
            f"Bilsky {grade}: the spinal cord is compressed (high-grade compression)."
        )
    if grade == BilskyGrade.GRADE_1C:
        return NomsNeurological.LOW_GRADE, (
            "Bilsky 1c: the cord is abutted, not compressed (low grade; whether 1c counts as "
            "high grade is debated)."
        )
    if grade == BilskyGrade.GRADE_0:
        return NomsNeurological.LOW_GRADE, "Bilsky 0: bone-only disease (low grade)."
    return NomsNeurological.LOW_GRADE, (
        f"Bilsky {grade}: epidural disease, the cord is not abutted (low grade)."
    )


def _m_arm(sins: int) -> tuple[NomsMechanical, str]:
    mechanical = _MECHANICAL[sins_band(sins)]
    if mechanical is NomsMechanical.UNSTABLE:
        return mechanical, f"SINS {sins} (13-18): unstable, stabilisation indicated."
    if mechanical is NomsMechanical.POTENTIALLY_UNSTABLE:
        return mechanical, f"SINS {sins} (7-12): potentially unstable, surgical consultation."
    return mechanical, f"SINS {sins} (0-6): stable."


def _s_arm(kps: int, tomita: int) -> tuple[NomsSystemic, str]:
    fit = kps >= NOMS_FIT_MIN_KPS and tomita <= NOMS_FIT_MAX_TOMITA
    systemic = NomsSystemic.FIT if fit else NomsSystemic.UNFIT
    kps_text = "50 or more" if kps >= NOMS_FIT_MIN_KPS else "under 50"
    tomita_text = "7 or less" if tomita <= NOMS_FIT_MAX_TOMITA else "over 7"
    verdict = "fit for treatment" if fit else "not fit for surgery or radiotherapy"
    return systemic, f"KPS {kps} ({kps_text}), Tomita {tomita} ({tomita_text}): {verdict}."


_N_ARM: Final = {grade: _n_arm(grade) for grade in BilskyGrade}
_M_ARM: Final = {sins: _m_arm(sins) for sins in range(19)}
_S_ARM: Final = {
    (kps, tomita): _s_arm(kps, tomita) for kps in range(0, 101, 10) for tomita in range(2, 11)
}
_PATHWAY_SENTENCE: Final = {pathway: f"{text}." for pathway, text in NOMS_PATHWAY_RULES}
STABILISATION_TEXT: Final = (
    "Stabilisation required beside the pathway: pedicle screw fixation, or "
    "kyphoplasty/vertebroplasty for a single level."
)


@fast_init
@dataclass(frozen=True, slots=True)
class NomsResult:
    neurological: NomsNeurological
    oncological: NomsOncological
    mechanical: NomsMechanical
    systemic: NomsSystemic
    pathway: NomsPathway
    stabilisation_required: bool
    oligometastatic: bool
    rationale: tuple[str, ...]
    #: The reason of each arm and of the pathway, keyed as in ``to_dict``.
    reasons: dict[str, str] = field(default_factory=dict)
    reference: str = NOMS_REFERENCE
    rules_version: str = RULES_VERSION
    policy_version: str = NOMS_POLICY_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "policy_version": self.policy_version,
            "neurological": self.neurological.value,
            "oncological": self.oncological.value,
            "mechanical": self.mechanical.value,
            "systemic": self.systemic.value,
            "pathway": self.pathway.value,
            "stabilisation_required": self.stabilisation_required,
            "reasons": dict(self.reasons),
            "rationale": list(self.rationale),
        }


def noms_oncological(
    *, primary_site: PrimarySite, subtype: MolecularSubtype, progressed_after_radiation: bool
) -> tuple[NomsOncological, str]:
    """O arm and its reason (§7): by histology, triple-negative breast and any known primary that
    progressed after radiation to the same field are radioresistant."""
    base = NOMS_RADIOSENSITIVITY[primary_site]
    if base is _O.UNKNOWN:
        return base, "Primary unknown: biopsy first."
    site = _SITE_WORDS[primary_site]
    if progressed_after_radiation:
        return _O.RADIORESISTANT, (
            f"{site} primary; a lesion progressed after radiotherapy to the same field: "
            "radioresistant."
        )
    if primary_site == _P.BREAST and subtype in NOMS_RADIORESISTANT_SUBTYPES:
        return _O.RADIORESISTANT, "Triple-negative breast cancer: radioresistant."
    return base, f"{site} primary: {base.value} by histology."


_O_ARM: Final = {
    (site, subtype, progressed): noms_oncological(
        primary_site=site, subtype=subtype, progressed_after_radiation=progressed
    )
    for site in PrimarySite
    for subtype in MolecularSubtype
    for progressed in (False, True)
}


def _observation_blockers(
    max_bilsky: BilskyGrade,
    mechanical: NomsMechanical,
    lesions_painless: bool,
    neurological_deficit: bool,
) -> list[str]:
    """What asks for local treatment now (rule 6, v2): empty means observation fits."""
    blockers = []
    if not lesions_painless:
        blockers.append("a painful lesion")
    if mechanical is not NomsMechanical.STABLE:
        blockers.append("SINS 7 or more")
    if BILSKY_RANK[max_bilsky] >= BILSKY_RANK[NOMS_OBSERVATION_BELOW_BILSKY]:
        blockers.append(f"Bilsky {max_bilsky}")
    if neurological_deficit:
        blockers.append("a neurological deficit")
    return blockers


def noms(
    *,
    max_bilsky: BilskyGrade,
    max_sins: int,
    primary_site: PrimarySite,
    subtype: MolecularSubtype,
    progressed_after_radiation: bool,
    kps: int,
    tomita_total: int,
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
    visceral_metastases: VisceralMetastases,
    lesions_painless: bool,
    neurological_deficit: bool,
) -> NomsResult:
    """NOMS arms and pathway (CLINICAL.md §7, service policy v2; Laufer 2013).

    N and M come from the worst lesion (highest Bilsky grade, highest SINS); O and S from the
    patient. ``kps`` is the KPS scored with (ECOG mapped per §3 when only ECOG is known).
    ``lesions_painless``: every lesion's SINS pain is ``none``; ``neurological_deficit``: §6
    (Frankel A-D or a stated deficit). Both feed rule 6 only.
    """
    _check(
        max_bilsky, max_sins, primary_site, subtype, progressed_after_radiation, kps,
        tomita_total, vertebral_metastases, extraspinal_bone_metastases, visceral_metastases,
        lesions_painless, neurological_deficit,
    )  # fmt: skip
    return noms_unchecked(
        max_bilsky=max_bilsky, max_sins=max_sins, primary_site=primary_site, subtype=subtype,
        progressed_after_radiation=progressed_after_radiation, kps=kps,
        tomita_total=tomita_total, vertebral_metastases=vertebral_metastases,
        extraspinal_bone_metastases=extraspinal_bone_metastases,
        visceral_metastases=visceral_metastases, lesions_painless=lesions_painless,
        neurological_deficit=neurological_deficit,
    )  # fmt: skip


def noms_unchecked(
    *,
    max_bilsky: BilskyGrade,
    max_sins: int,
    primary_site: PrimarySite,
    subtype: MolecularSubtype,
    progressed_after_radiation: bool,
    kps: int,
    tomita_total: int,
    vertebral_metastases: int,
    extraspinal_bone_metastases: int,
    visceral_metastases: VisceralMetastases,
    lesions_painless: bool,
    neurological_deficit: bool,
) -> NomsResult:
    """``noms`` without its input checks, for ``evaluate``: every input there comes from a
    calculator or a check that has already refused what ``noms`` would refuse."""
    neurological, n_text = _N_ARM[max_bilsky]
    oncological, o_text = _O_ARM[primary_site, subtype, progressed_after_radiation]
    mechanical, m_text = _M_ARM[max_sins]
    systemic, s_text = _S_ARM[kps, tomita_total]
    oligometastatic = (
        vertebral_metastases <= NOMS_OLIGO_MAX_VERTEBRAE
        and extraspinal_bone_metastases == 0
        and visceral_metastases == VisceralMetastases.NONE
    )
    radioresistant = oncological is _O.RADIORESISTANT
    blockers = _observation_blockers(max_bilsky, mechanical, lesions_painless, neurological_deficit)
    if systemic is NomsSystemic.UNFIT:
        pathway = NomsPathway.PALLIATIVE_CARE
    elif oncological is _O.UNKNOWN:
        pathway = NomsPathway.BIOPSY
    elif neurological is NomsNeurological.HIGH_GRADE:
        pathway = NomsPathway.SEPARATION_SURGERY_SRS
    elif radioresistant and oligometastatic:
        pathway = NomsPathway.EN_BLOC_RESECTION
    elif radioresistant:
        pathway = NomsPathway.SRS
    elif not blockers:
        pathway = NomsPathway.SYSTEMIC_THERAPY_OBSERVATION
    else:
        pathway = NomsPathway.CEBRT
    pathway_text = _PATHWAY_SENTENCE[pathway]
    if pathway is NomsPathway.CEBRT:
        pathway_text = pathway_text[:-1] + f" ({', '.join(blockers)})."
    stabilisation = mechanical is NomsMechanical.UNSTABLE
    reasons = {"neurological": n_text, "oncological": o_text, "mechanical": m_text,
               "systemic": s_text, "pathway": pathway_text}  # fmt: skip
    rationale: tuple[str, ...] = (n_text, o_text, m_text, s_text, pathway_text)
    if stabilisation:
        rationale += (STABILISATION_TEXT,)
    return NomsResult(
        neurological=neurological,
        oncological=oncological,
        mechanical=mechanical,
        systemic=systemic,
        pathway=pathway,
        stabilisation_required=stabilisation,
        oligometastatic=oligometastatic,
        rationale=rationale,
        reasons=reasons,
    )


def _check(
    max_bilsky: object,
    max_sins: object,
    primary_site: object,
    subtype: object,
    progressed_after_radiation: object,
    kps: object,
    tomita_total: object,
    vertebral: object,
    extraspinal: object,
    visceral: object,
    painless: object,
    deficit: object,
) -> None:
    if (
        isinstance(max_bilsky, str) and max_bilsky in BILSKY_RANK
        and type(max_sins) is int and 0 <= max_sins <= 18
        and isinstance(primary_site, str) and primary_site in NOMS_RADIOSENSITIVITY
        and isinstance(subtype, str) and subtype in MolecularSubtype._value2member_map_
        and (progressed_after_radiation is True or progressed_after_radiation is False)
        and kps_error(kps) is None
        and type(tomita_total) is int and 2 <= tomita_total <= 10
        and count_error(vertebral, 1) is None
        and count_error(extraspinal, 0) is None
        and isinstance(visceral, str) and visceral in VisceralMetastases._value2member_map_
        and (painless is True or painless is False)
        and (deficit is True or deficit is False)
    ):  # fmt: skip
        return
    _raise(
        max_bilsky, max_sins, primary_site, subtype, progressed_after_radiation, kps,
        tomita_total, vertebral, extraspinal, visceral, painless, deficit,
    )  # fmt: skip


def _raise(
    max_bilsky: object,
    max_sins: object,
    primary_site: object,
    subtype: object,
    progressed_after_radiation: object,
    kps: object,
    tomita_total: object,
    vertebral: object,
    extraspinal: object,
    visceral: object,
    painless: object,
    deficit: object,
) -> NoReturn:
    bag = ErrorBag()
    if reason := lookup_error(max_bilsky, BILSKY_RANK, BilskyGrade):
        bag.add("max_bilsky", reason)
    if type(max_sins) is not int or not 0 <= max_sins <= 18:
        bag.add("max_sins", "must be an integer between 0 and 18")
    if reason := lookup_error(primary_site, NOMS_RADIOSENSITIVITY, PrimarySite):
        bag.add("primary_site", reason)
    if reason := enum_error(subtype, MolecularSubtype):
        bag.add("subtype", reason)
    if progressed_after_radiation is not True and progressed_after_radiation is not False:
        bag.add("progressed_after_radiation", "expected a boolean (true or false)")
    if reason := kps_error(kps):
        bag.add("kps", reason)
    if type(tomita_total) is not int or not 2 <= tomita_total <= 10:
        bag.add("tomita_total", "must be an integer between 2 and 10")
    if reason := count_error(vertebral, 1):
        bag.add("vertebral_metastases", reason)
    if reason := count_error(extraspinal, 0):
        bag.add("extraspinal_bone_metastases", reason)
    if reason := enum_error(visceral, VisceralMetastases):
        bag.add("visceral_metastases", reason)
    for name, flag in (("lesions_painless", painless), ("neurological_deficit", deficit)):
        if flag is not True and flag is not False:
            bag.add(name, "expected a boolean (true or false)")
    raise ScoringInputError(bag.errors or {"non_field_errors": ["cannot be scored"]})
