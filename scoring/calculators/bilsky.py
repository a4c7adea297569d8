"""Bilsky epidural spinal cord compression (ESCC) grade (CLINICAL.md §2).

Bilsky MH et al. Reliability analysis of the epidural spinal cord compression scale.
J Neurosurg Spine 2010;13(3):324-8. Axial T2 MRI at the level of worst compression.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .checks import lookup_error
from .enums import BilskyGrade
from .errors import ScoringInputError
from .version import RULES_VERSION

BILSKY_REFERENCE: Final = "Bilsky MH et al., J Neurosurg Spine 2010;13(3):324-8; CLINICAL.md §2"

#: Severity order, used for "highest grade" (NOMS N arm, urgency, agenda priority, progression).
BILSKY_RANK: Final = MappingProxyType({grade: rank for rank, grade in enumerate(BilskyGrade)})
BILSKY_DEFINITION: Final = MappingProxyType(
    {
        BilskyGrade.GRADE_0: "bone-only disease",
        BilskyGrade.GRADE_1A: "epidural impingement, thecal sac not deformed",
        BilskyGrade.GRADE_1B: "thecal sac deformed, cord not abutted",
        BilskyGrade.GRADE_1C: "thecal sac deformed, cord abutted, not compressed",
        BilskyGrade.GRADE_2: "cord compressed, CSF visible around the cord",
        BilskyGrade.GRADE_3: "cord compressed, no CSF visible around the cord",
    }
)
HIGH_GRADE: Final = frozenset({BilskyGrade.GRADE_2, BilskyGrade.GRADE_3})
_EPIDURAL_FROM: Final = BILSKY_RANK[BilskyGrade.GRADE_1A]


@dataclass(frozen=True, slots=True)
class BilskyResult:
    grade: BilskyGrade
    high_grade: bool
    epidural_extension: bool
    rationale: tuple[str, ...]
    reference: str = BILSKY_REFERENCE
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "grade": self.grade.value,
            "high_grade": self.high_grade,
            "epidural_extension": self.epidural_extension,
        }


def _build(grade: BilskyGrade) -> BilskyResult:
    high = grade in HIGH_GRADE
    return BilskyResult(
        grade=grade,
        high_grade=high,
        epidural_extension=BILSKY_RANK[grade] >= _EPIDURAL_FROM,
        rationale=(
            f"Bilsky {grade.value}: {BILSKY_DEFINITION[grade]}"
            + ("; high-grade compression." if high else "."),
        ),
    )


# Six possible results: built once and shared (the dataclass is frozen).
_RESULTS: Final = MappingProxyType({grade: _build(grade) for grade in BilskyGrade})


def bilsky(*, grade: BilskyGrade) -> BilskyResult:
    """Classify one Bilsky grade (CLINICAL.md §2; Bilsky 2010).

    High-grade: 2 and 3. Epidural extension: any grade from 1a up.
    """
    try:
        return _RESULTS[grade]
    except (KeyError, TypeError):
        raise ScoringInputError.single(
            "grade", lookup_error(grade, _RESULTS, BilskyGrade) or "cannot be scored"
        ) from None


def max_bilsky(grades: list[BilskyGrade]) -> BilskyGrade | None:
    """The highest grade of several lesions, ``None`` for none."""
    return max(grades, key=BILSKY_RANK.__getitem__) if grades else None
