"""Scoring one lesion: SINS (CLINICAL.md §1) and Bilsky (§2), with every error under its path
(``lesions[0].levels[1]``); what ``evaluate`` and ``score_lesion`` share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .bilsky import BilskyResult, bilsky
from .checks import bool_error
from .enums import SpinalLevel
from .errors import ErrorBag, ScoringInputError
from .frozen import fast_init
from .inputs import LesionInput
from .sins import SinsResult, sins


@fast_init
@dataclass(frozen=True, slots=True)
class LesionResult:
    levels: tuple[SpinalLevel, ...]
    sins: SinsResult
    bilsky: BilskyResult

    def to_dict(self) -> dict[str, object]:
        return {
            "levels": [level.value for level in self.levels],
            "sins": self.sins.to_dict(),
            "bilsky": self.bilsky.to_dict(),
        }


_BOOL_FLAGS: Final = ("progressed_within_6_weeks", "progressed_after_radiation")


def _is_flag(value: object) -> bool:
    return value is None or value is True or value is False


def vertebral_count_reason(distinct_levels: int) -> str:
    return (
        f"must be at least {distinct_levels}, the number of distinct levels in lesions "
        "(the count includes every involved vertebra)"
    )


def score_lesions(
    lesion_inputs: tuple[LesionInput, ...], bag: ErrorBag
) -> tuple[LesionResult, ...] | None:
    if not isinstance(lesion_inputs, tuple | list) or not lesion_inputs:
        bag.add("lesions", "at least one lesion is required")
        return None
    results: list[LesionResult] = []
    failed = False
    for index, lesion in enumerate(lesion_inputs):
        if not isinstance(lesion, LesionInput):
            bag.add(f"lesions[{index}]", "expected LesionInput")
            failed = True
            continue
        try:
            sins_result = sins(
                levels=lesion.levels,
                pain=lesion.pain,
                bone_lesion=lesion.bone_lesion,
                alignment=lesion.alignment,
                collapse=lesion.collapse,
                posterolateral=lesion.posterolateral,
            )
        except ScoringInputError as error:
            bag.merge(error, f"lesions[{index}]")
            failed = True
        try:
            bilsky_result = bilsky(grade=lesion.bilsky)
        except ScoringInputError as error:
            for reason in error.errors["grade"]:
                bag.add(f"lesions[{index}].bilsky", reason)
            failed = True
        if not (
            _is_flag(lesion.progressed_within_6_weeks)
            and _is_flag(lesion.progressed_after_radiation)
        ):
            for name in _BOOL_FLAGS:
                flag = getattr(lesion, name)
                if flag is not None and (flag_reason := bool_error(flag)):
                    bag.add(f"lesions[{index}].{name}", flag_reason)
                    failed = True
        if not failed:
            results.append(
                LesionResult(levels=sins_result.levels, sins=sins_result, bilsky=bilsky_result)
            )
    return None if failed else tuple(results)


def score_lesion(lesion: LesionInput) -> LesionResult:
    """SINS (CLINICAL.md §1) and Bilsky (§2) of one stored lesion; errors name the lesion's
    fields (``levels[0]``, ``bilsky``)."""
    bag = ErrorBag()
    results = score_lesions((lesion,), bag)
    if results is None:
        raise ScoringInputError(
            {path.removeprefix("lesions[0]."): reasons for path, reasons in bag.errors.items()}
        )
    return results[0]
