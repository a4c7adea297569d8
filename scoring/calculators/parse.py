"""JSON request of ``POST /api/v1/scores/evaluate/`` to typed inputs, with every error at once.

Strict on purpose: booleans must be JSON booleans, integers must be integers (a bool or a
fractional number is refused), enum values are spelled exactly, and unknown keys are refused so a
typo (``"kps "``) is reported instead of silently scoring without the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Final, TypeVar

from .bauer import albumin_error
from .checks import REQUIRED, choices, ecog_error, kps_error, short_repr
from .enums import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    BoneModifyingAgent,
    Collapse,
    Frankel,
    MolecularSubtype,
    Pain,
    Posterolateral,
    PrimarySite,
    VisceralMetastases,
)
from .errors import ErrorBag, ScoringInputError
from .evaluate import EvaluationResult, evaluate
from .inputs import EvaluationInput, LesionInput, PatientInput, Receptors, SystemicTherapy
from .lesion_scores import vertebral_count_reason
from .levels import LEVEL_BY_NAME, levels_errors
from .subtype import receptor_errors, resolve_subtype

E = TypeVar("E", bound=StrEnum)

TOP_LEVEL_FIELDS: Final = frozenset({"patient", "lesions"})
PATIENT_FIELDS: Final = frozenset(
    {
        "primary_site", "subtype", "receptors", "kps", "ecog", "frankel", "neurological_deficit",
        "extraspinal_bone_metastases", "vertebral_metastases", "visceral_metastases",
        "new_patient", "new_or_progressive_back_pain", "ambulatory", "albumin_g_dl",
        # Optional systemic-therapy state for the timing checks (CLINICAL.md §10).
        "anc_per_mm3", "cdk46_inhibitor", "bone_modifying_agent", "bone_agent_last_dose",
        "planned_surgery_date",
    }
)  # fmt: skip
RECEPTOR_FIELDS: Final = frozenset({"er", "pr", "her2", "ki67"})
LESION_FIELDS: Final = frozenset(
    {
        "levels", "pain", "bone_lesion", "alignment", "collapse", "posterolateral", "bilsky",
        "progressed_within_6_weeks", "progressed_after_radiation",
    }
)  # fmt: skip
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING: Final = object()


class _Reader:
    """Reads the fields of one JSON object, recording each problem under its full path."""

    __slots__ = ("bag", "obj", "path")

    def __init__(self, obj: Mapping[str, object], path: str, bag: ErrorBag, known: frozenset[str]):
        self.obj, self.path, self.bag = obj, path, bag
        for key in obj:
            if key not in known:
                name = key if isinstance(key, str) else short_repr(key)
                self.bag.add(self.at(name), "unknown field")

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str, required: bool) -> object:
        value = self.obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.bag.add(self.at(key), REQUIRED)
            return _MISSING
        return value

    def boolean(self, key: str, required: bool = False) -> bool | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        if value is True or value is False:
            return value
        self.bag.add(self.at(key), "expected a boolean (true or false)")
        return None

    def integer(self, key: str, minimum: int, required: bool = False) -> int | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        number = _as_int(value)
        if number is None:
            self.bag.add(self.at(key), "expected an integer")
        elif number < minimum:
            self.bag.add(self.at(key), f"must be an integer of at least {minimum}")
        else:
            return number
        return None

    def number(self, key: str) -> float | None:
        value = self.raw(key, False)
        if value is _MISSING:
            return None
        if type(value) is int or (type(value) is float and math.isfinite(value)):
            return value
        self.bag.add(self.at(key), "expected a number")
        return None

    def choice(self, key: str, enum: type[E], required: bool = False) -> E | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and value in enum._value2member_map_:
            return enum(value)
        self.bag.add(self.at(key), f"expected one of {choices(enum)}, got {short_repr(value)}")
        return None

    def day(self, key: str) -> date | None:
        value = self.raw(key, False)
        if value is _MISSING:
            return None
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.bag.add(self.at(key), "expected a date as YYYY-MM-DD")
        return None

    def child(self, key: str, known: frozenset[str], required: bool) -> _Reader | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.bag.add(self.at(key), "expected an object")
            return None
        return _Reader(value, self.at(key), self.bag, known)


def _as_int(value: object) -> int | None:
    """An integer, or an integral float such as 80.0; never a bool or 80.5."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    return None


def parse_evaluation_request(data: object) -> EvaluationInput:
    """Typed ``EvaluationInput`` from the parsed JSON body; ``ScoringInputError`` lists every
    problem by field path (``patient.kps``, ``lesions[0].levels[1]``, ``non_field_errors``)."""
    if not isinstance(data, dict):
        raise ScoringInputError.single("non_field_errors", "expected a JSON object")
    bag = ErrorBag()
    top = _Reader(data, "", bag, TOP_LEVEL_FIELDS)
    patient_reader = top.child("patient", PATIENT_FIELDS, required=True)
    parsed_patient = _parse_patient(patient_reader) if patient_reader is not None else None
    lesions = _parse_lesions(data.get("lesions"), bag)
    if parsed_patient is not None and lesions is not None:
        patient, _ = parsed_patient
        distinct = len({level for lesion in lesions for level in lesion.levels})
        if patient.vertebral_metastases < distinct:
            bag.add("patient.vertebral_metastases", vertebral_count_reason(distinct))
    if bag or parsed_patient is None or lesions is None:
        raise ScoringInputError(bag.errors or {"non_field_errors": ["cannot be parsed"]})
    patient, systemic = parsed_patient
    return EvaluationInput(patient=patient, lesions=lesions, systemic=systemic)


def _parse_patient(reader: _Reader) -> tuple[PatientInput, SystemicTherapy] | None:
    bag = reader.bag
    before = len(bag.errors)
    primary_site = reader.choice("primary_site", PrimarySite, required=True)
    subtype = reader.choice("subtype", MolecularSubtype)
    receptors = _parse_receptors(reader)
    kps = reader.raw("kps", False)
    ecog = reader.raw("ecog", False)
    kps_value = ecog_value = None
    if kps is _MISSING and ecog is _MISSING:
        bag.add(reader.at("kps"), f"{REQUIRED}: give kps (0-100 in tens) or ecog (0-4)")
    if kps is not _MISSING:
        kps_value = _as_int(kps)
        reason = "expected an integer" if kps_value is None else kps_error(kps_value)
        if reason:
            bag.add(reader.at("kps"), reason)
    if ecog is not _MISSING:
        ecog_value = _as_int(ecog)
        reason = "expected an integer" if ecog_value is None else ecog_error(ecog_value)
        if reason:
            bag.add(reader.at("ecog"), reason)
    frankel = reader.choice("frankel", Frankel, required=True)
    neurological_deficit = reader.boolean("neurological_deficit")
    extraspinal = reader.integer("extraspinal_bone_metastases", 0, required=True)
    vertebral = reader.integer("vertebral_metastases", 1, required=True)
    visceral = reader.choice("visceral_metastases", VisceralMetastases, required=True)
    new_patient = reader.boolean("new_patient")
    back_pain = reader.boolean("new_or_progressive_back_pain")
    ambulatory = reader.boolean("ambulatory")
    albumin = reader.number("albumin_g_dl")
    if albumin is not None and (reason := albumin_error(albumin)):
        bag.add(reader.at("albumin_g_dl"), reason)
    systemic = SystemicTherapy(
        anc_per_mm3=reader.integer("anc_per_mm3", 0),
        cdk46_inhibitor=reader.boolean("cdk46_inhibitor"),
        bone_modifying_agent=reader.choice("bone_modifying_agent", BoneModifyingAgent),
        bone_agent_last_dose=reader.day("bone_agent_last_dose"),
        planned_surgery_date=reader.day("planned_surgery_date"),
    )
    if (
        systemic.bone_agent_last_dose is not None
        and systemic.bone_modifying_agent is None
        and not bag.has(reader.at("bone_modifying_agent"))
    ):
        bag.add(reader.at("bone_agent_last_dose"), "needs bone_modifying_agent")
    if primary_site is not None and not (
        bag.has(reader.at("subtype"))
        or any(k.startswith(reader.at("receptors")) for k in bag.errors)
    ):
        try:
            resolve_subtype(primary_site=primary_site, subtype=subtype, receptors=receptors)
        except ScoringInputError as error:
            bag.merge(error, reader.path)
    if (
        len(bag.errors) != before
        or primary_site is None
        or frankel is None
        or visceral is None
        or extraspinal is None
        or vertebral is None
    ):
        return None
    return (
        PatientInput(
            primary_site=primary_site,
            frankel=frankel,
            extraspinal_bone_metastases=extraspinal,
            vertebral_metastases=vertebral,
            visceral_metastases=visceral,
            kps=kps_value,
            ecog=ecog_value,
            subtype=subtype,
            receptors=receptors,
            neurological_deficit=neurological_deficit,
            new_patient=new_patient,
            new_or_progressive_back_pain=back_pain,
            ambulatory=ambulatory,
            albumin_g_dl=albumin,
        ),
        systemic,
    )


def _parse_receptors(patient: _Reader) -> Receptors | None:
    reader = patient.child("receptors", RECEPTOR_FIELDS, required=False)
    if reader is None:
        return None
    receptors = Receptors(
        er=reader.boolean("er"),
        pr=reader.boolean("pr"),
        her2=reader.boolean("her2"),
        ki67=reader.number("ki67"),
    )
    for key, reasons in receptor_errors(receptors).items():
        for reason in reasons:
            reader.bag.add(reader.at(key), reason)
    return receptors


def _parse_lesions(value: object, bag: ErrorBag) -> tuple[LesionInput, ...] | None:
    if value is None:
        bag.add("lesions", REQUIRED)
        return None
    if not isinstance(value, list):
        bag.add("lesions", "expected a list of lesions")
        return None
    if not value:
        bag.add("lesions", "at least one lesion is required")
        return None
    lesions: list[LesionInput] = []
    for index, item in enumerate(value):
        path = f"lesions[{index}]"
        if not isinstance(item, dict):
            bag.add(path, "expected an object")
            continue
        before = len(bag.errors)
        reader = _Reader(item, path, bag, LESION_FIELDS)
        raw_levels = item.get("levels")
        if not isinstance(raw_levels, list) and raw_levels is not None:
            bag.add(reader.at("levels"), "expected a list of levels")
        else:
            for key, reasons in levels_errors(raw_levels).items():
                for reason in reasons:
                    bag.add(reader.at(key), reason)
        pain = reader.choice("pain", Pain, required=True)
        bone_lesion = reader.choice("bone_lesion", BoneLesion, required=True)
        alignment = reader.choice("alignment", Alignment, required=True)
        collapse = reader.choice("collapse", Collapse, required=True)
        posterolateral = reader.choice("posterolateral", Posterolateral, required=True)
        grade = reader.choice("bilsky", BilskyGrade, required=True)
        progressed = reader.boolean("progressed_within_6_weeks")
        after_radiation = reader.boolean("progressed_after_radiation")
        if (
            len(bag.errors) != before
            or not isinstance(raw_levels, list)
            or pain is None
            or bone_lesion is None
            or alignment is None
            or collapse is None
            or posterolateral is None
            or grade is None
        ):
            continue
        lesions.append(
            LesionInput(
                levels=tuple(LEVEL_BY_NAME[level] for level in raw_levels),
                pain=pain,
                bone_lesion=bone_lesion,
                alignment=alignment,
                collapse=collapse,
                posterolateral=posterolateral,
                bilsky=grade,
                progressed_within_6_weeks=progressed,
                progressed_after_radiation=after_radiation,
            )
        )
    return tuple(lesions) if len(lesions) == len(value) else None


def evaluate_request(data: object, *, now: datetime | None = None) -> dict[str, object]:
    """Parse, evaluate and serialise: the whole work of the evaluate endpoint.

    Raises only ``ScoringInputError`` (a 400), whatever JSON value ``data`` is.
    """
    result: EvaluationResult = evaluate(parse_evaluation_request(data), now=now)
    return result.to_dict()


__all__ = ["evaluate_request", "parse_evaluation_request"]
