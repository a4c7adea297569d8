"""The FHIR a hook carries, read into the scoring core's inputs (CLINICAL.md §8, §9, §12).

The codes are the ones ``integrations.fhir`` exports (``codes``): what this service sends out as
FHIR, it can read back from an EHR that stores it. Nothing clinical is decided here: the triggers
and the urgency are the core's (``scoring.calculators.triggers`` and ``urgency``), exactly as
``referrals.triggers`` calls them for a stored case.

*CDS prefetch reading, service policy v1* (judgment calls, named and versioned):

- the primary site comes from the breast-primary Condition (SNOMED CT 372137005): confirmed is a
  known breast primary, any other verification status a suspected one; none is an unknown
  primary. The primary status is then scored by ``cases.evaluation.PRIMARY_SITE_POLICY``, the
  same table a stored case is scored by (a suspected primary counts as unknown);
- the §8 triggers concern spinal metastases: without a spinal lesion in the prefetch (a SINS or
  Bilsky Observation, or the bone-metastasis Condition with a vertebral body site) nothing is
  evaluated and no card is returned;
- per lesion (the vertebral levels of ``bodySite``) the latest Observation of each score counts;
  a score the prefetch lacks cannot fire its trigger (it is read as SINS 0 / Bilsky 0);
- Frankel: the latest; absent means no deficit reported (as ``referrals.triggers`` reads a
  case);
- ``isolated_lesion`` and ``back_pain`` need facts a prefetch does not carry (a new patient, the
  extraspinal count, the complaint): they are not evaluated from a prefetch; the service's own
  data evaluates them when the patient is known here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cases.evaluation import PRIMARY_SITE_POLICY
from cases.models.case import PrimaryStatus
from integrations.fhir import codes
from scoring.calculators import (
    BILSKY_RANK,
    BilskyGrade,
    Frankel,
    LesionFindings,
    MolecularSubtype,
    PrimarySite,
    Receptors,
    ScoringInputError,
    SpinalLevel,
    Trigger,
    resolve_subtype,
    triggers,
)

PREFETCH_POLICY_VERSION: Final = "1"
#: Our neurology concept (Frankel grade): no LOINC or SNOMED CT code was confirmed for it.
FRANKEL_CODE: Final = "frankel"


def neurology_system() -> str:
    return codes.system("CodeSystem/neurology")


class PrefetchError(ValueError):
    """A prefetch the service cannot read: 400, ``path`` names where."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def observation_codes() -> list[str]:
    """The ``code`` search of the observations prefetch: spine scores, Frankel, ECOG/KPS and the
    receptor tests."""
    scores = codes.scores_system()
    return [f"{scores}|sins", f"{scores}|bilsky", f"{neurology_system()}|{FRANKEL_CODE}",
            *(f"{system}|{code}" for system, code, _ in
              (codes.ECOG, codes.KARNOFSKY, codes.ER, codes.PR, codes.HER2))]


def prefetch_templates() -> dict[str, str]:
    """The prefetch the services declare in discovery (CDS Hooks prefetch templates)."""
    return {
        "patient": "Patient/{{context.patientId}}",
        "conditions": "Condition?patient={{context.patientId}}",
        "observations": ("Observation?patient={{context.patientId}}&code="
                         + ",".join(observation_codes()) + "&_sort=-date"),
    }


@dataclass(frozen=True)
class PrefetchFindings:
    """The core's answer for a prefetch: fired triggers and the urgency inputs."""

    triggers: tuple[Trigger, ...]
    max_bilsky: BilskyGrade | None
    max_sins: int | None
    subtype: MolecularSubtype | None
    evaluated: bool  # False: no spinal lesion in the prefetch, nothing evaluated


def _entries(bundle: Any, path: str, kind: str) -> list[dict[str, Any]]:
    if bundle is None:
        return []
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise PrefetchError(path, "expected a FHIR Bundle")
    found = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping):
            raise PrefetchError(f"{path}.entry[{index}]", "expected an entry with a resource")
        if resource.get("resourceType") == kind:
            found.append(dict(resource))
    return found


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, Mapping):
        return []
    return [(str(c.get("system", "")), str(c.get("code", "")))
            for c in concept.get("coding") or [] if isinstance(c, Mapping)]


def _has(concept: Any, code: tuple[str, str, str] | tuple[str, str]) -> bool:
    return (code[0], code[1]) in _codings(concept)


def patient_identifiers(patient: Any) -> list[tuple[str, str]]:
    """(system, value) of each identifier of a prefetched Patient."""
    if not isinstance(patient, Mapping):
        return []
    return [(str(item.get("system", "")), str(item.get("value", "")))
            for item in patient.get("identifier") or []
            if isinstance(item, Mapping) and item.get("value")]


def _levels(resource: Mapping[str, Any], path: str) -> tuple[SpinalLevel, ...] | None:
    """The vertebral levels of a body site as ``integrations.fhir`` writes it ("T7-T8
    vertebra"); ``None`` for a body site that names no vertebra."""
    sites = resource.get("bodySite")
    sites = sites if isinstance(sites, list) else [sites] if sites else []
    for site in sites:
        text = str(site.get("text", "")) if isinstance(site, Mapping) else ""
        if not text.endswith(" vertebra"):
            continue
        names = text.removesuffix(" vertebra").split("-")
        try:
            return tuple(SpinalLevel(name.strip().upper()) for name in names)
        except ValueError:
            raise PrefetchError(f"{path}.bodySite", "not a vertebral level (C0-S5)") from None
    return None


def _primary_status(conditions: Iterable[Mapping[str, Any]]) -> str:
    status = PrimaryStatus.UNKNOWN
    for condition in conditions:
        if not _has(condition.get("code"), codes.BREAST_PRIMARY):
            continue
        if _has(condition.get("verificationStatus"),
                (codes.CONDITION_VERIFICATION, "confirmed")):
            return PrimaryStatus.KNOWN_BREAST
        status = PrimaryStatus.SUSPECTED_BREAST
    return status


def _when(resource: Mapping[str, Any]) -> str:
    return str(resource.get("effectiveDateTime") or resource.get("issued") or "")


def _latest(observations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(observations, key=_when, reverse=True)


def read_prefetch(prefetch: Mapping[str, Any]) -> PrefetchFindings:
    """Run the core's triggers on the prefetched Conditions and Observations."""
    conditions = _entries(prefetch.get("conditions"), "prefetch.conditions", "Condition")
    observations = _latest(_entries(prefetch.get("observations"), "prefetch.observations",
                                    "Observation"))
    scores = codes.scores_system()
    sins: dict[tuple[SpinalLevel, ...], int] = {}
    bilsky: dict[tuple[SpinalLevel, ...], BilskyGrade] = {}
    frankel: Frankel | None = None
    receptors: dict[str, bool] = {}
    for index, obs in enumerate(observations):
        path = f"prefetch.observations[{index}]"
        if obs.get("status") in ("entered-in-error", "cancelled"):
            continue
        concept = obs.get("code")
        if _has(concept, (scores, "sins")) or _has(concept, (scores, "bilsky")):
            levels = _levels(obs, path)
            if levels is None:
                continue
            if _has(concept, (scores, "sins")):
                value = obs.get("valueInteger")
                if type(value) is not int or not 0 <= value <= 18:
                    raise PrefetchError(f"{path}.valueInteger", "SINS must be 0 to 18")
                sins.setdefault(levels, value)
            else:
                try:
                    bilsky.setdefault(levels, BilskyGrade(str(obs.get("valueString", ""))))
                except ValueError:
                    raise PrefetchError(f"{path}.valueString",
                                        "Bilsky grade must be 0, 1a, 1b, 1c, 2 or 3") from None
        elif _has(concept, (neurology_system(), FRANKEL_CODE)) and frankel is None:
            try:
                frankel = Frankel(str(obs.get("valueString", "")).upper())
            except ValueError:
                raise PrefetchError(f"{path}.valueString",
                                    "Frankel grade must be A to E") from None
        else:
            for key, test in (("er", codes.ER), ("pr", codes.PR), ("her2", codes.HER2)):
                if _has(concept, test) and key not in receptors:
                    value = obs.get("valueCodeableConcept")
                    if _has(value, codes.POSITIVE):
                        receptors[key] = True
                    elif _has(value, codes.NEGATIVE):
                        receptors[key] = False
    lesion_levels = list(dict.fromkeys([*sins, *bilsky]))
    for index, condition in enumerate(conditions):
        if _has(condition.get("code"), codes.BONE_SECONDARY):
            sites = condition.get("bodySite") or []
            for site_index, site in enumerate(sites if isinstance(sites, list) else []):
                levels = _levels({"bodySite": [site]},
                                 f"prefetch.conditions[{index}].bodySite[{site_index}]")
                if levels is not None and not any(set(levels) & set(known)
                                                   for known in lesion_levels):
                    lesion_levels.append(levels)
    if not lesion_levels:
        return PrefetchFindings(triggers=(), max_bilsky=None, max_sins=None, subtype=None,
                                evaluated=False)
    site = PRIMARY_SITE_POLICY[_primary_status(conditions)]
    lesions = [LesionFindings(levels=levels, sins_total=sins.get(levels, 0),
                              bilsky=bilsky.get(levels, BilskyGrade.GRADE_0))
               for levels in lesion_levels]
    distinct = {level for levels in lesion_levels for level in levels}
    try:
        fired = triggers(primary_site=site, frankel=frankel or Frankel.E, lesions=lesions,
                         vertebral_metastases=len(distinct), extraspinal_bone_metastases=0)
    except ScoringInputError as error:  # e.g. the same level twice in one body site
        path, reasons = next(iter(error.errors.items()))
        raise PrefetchError(f"prefetch.observations ({path})", "; ".join(reasons)) from None
    subtype: MolecularSubtype | None = None
    if site == PrimarySite.BREAST:
        try:
            subtype = resolve_subtype(primary_site=site,
                                      receptors=Receptors(**receptors)).subtype
        except ScoringInputError:
            subtype = None
    return PrefetchFindings(
        triggers=fired,
        max_bilsky=max((lesion.bilsky for lesion in lesions), key=BILSKY_RANK.__getitem__),
        max_sins=max(lesion.sins_total for lesion in lesions),
        subtype=subtype, evaluated=True)
