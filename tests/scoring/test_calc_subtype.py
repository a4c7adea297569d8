"""Molecular subtype from receptors (CLINICAL.md §12) and its agreement with a given subtype."""

from __future__ import annotations

import pytest

from scoring.calculators import (
    MolecularSubtype,
    PrimarySite,
    Receptors,
    ScoringInputError,
    molecular_subtype,
    resolve_subtype,
)

ST = MolecularSubtype


@pytest.mark.parametrize(
    ("er", "pr", "her2", "ki67", "subtype"),
    [
        (True, False, False, 12, ST.LUMINAL_A),
        (False, True, False, 19.9, ST.LUMINAL_A),
        (True, True, False, 20, ST.LUMINAL_B),  # 20 % is high: low is under 20
        (True, False, True, 5, ST.LUMINAL_B),
        (True, False, True, None, ST.LUMINAL_B),  # HER2+ decides, Ki-67 not needed
        (False, False, True, None, ST.HER2_ENRICHED),
        (False, False, False, None, ST.TRIPLE_NEGATIVE),
        (False, False, False, 80, ST.TRIPLE_NEGATIVE),
        (True, False, False, None, ST.UNKNOWN),  # luminal A or B: Ki-67 decides
        (True, None, None, 30, ST.LUMINAL_B),  # high Ki-67 with HR+ is luminal B whatever HER2
        (True, None, None, 10, ST.UNKNOWN),
        (None, None, None, None, ST.UNKNOWN),
        (False, None, False, None, ST.UNKNOWN),  # PR decides between TN and luminal
        (False, False, None, None, ST.UNKNOWN),
    ],
)
def test_st_gallen_rules(
    er: bool | None, pr: bool | None, her2: bool | None, ki67: float | None, subtype: ST
) -> None:
    result = molecular_subtype(er=er, pr=pr, her2=her2, ki67=ki67)
    assert result.subtype is subtype
    assert result.rationale


def test_unknown_explains_what_it_could_be() -> None:
    result = molecular_subtype(er=True, pr=False, her2=False)
    assert "luminal A or luminal B" in result.rationale[0]


@pytest.mark.parametrize(
    ("field", "changes"), [("er", {"er": "true"}), ("her2", {"her2": 1}), ("ki67", {"ki67": 120})]
)
def test_receptor_values_are_checked(field: str, changes: dict[str, object]) -> None:
    args: dict[str, object] = {"er": True, "pr": True, "her2": False, "ki67": 10, **changes}
    with pytest.raises(ScoringInputError) as caught:
        molecular_subtype(**args)  # type: ignore[arg-type]
    assert list(caught.value.errors) == [field]


def test_receptors_give_the_subtype_when_none_is_stated() -> None:
    result = resolve_subtype(
        primary_site=PrimarySite.BREAST, receptors=Receptors(er=False, pr=False, her2=True)
    )
    assert result.subtype is ST.HER2_ENRICHED


def test_a_stated_subtype_consistent_with_the_receptors_is_kept() -> None:
    # Ki-67 missing: the receptors allow luminal A or B, so a stated luminal A stands.
    result = resolve_subtype(
        primary_site=PrimarySite.BREAST,
        subtype=ST.LUMINAL_A,
        receptors=Receptors(er=True, pr=True, her2=False),
    )
    assert result.subtype is ST.LUMINAL_A


def test_a_stated_subtype_that_contradicts_the_receptors_is_an_error_on_subtype() -> None:
    with pytest.raises(ScoringInputError) as caught:
        resolve_subtype(
            primary_site=PrimarySite.BREAST,
            subtype=ST.TRIPLE_NEGATIVE,
            receptors=Receptors(er=True, pr=False, her2=False, ki67=10),
        )
    assert list(caught.value.errors) == ["subtype"]
    assert "conflicts with the receptors" in caught.value.errors["subtype"][0]
    assert "luminal A" in caught.value.errors["subtype"][0]


def test_stated_unknown_lets_the_receptors_decide() -> None:
    result = resolve_subtype(
        primary_site=PrimarySite.BREAST,
        subtype=ST.UNKNOWN,
        receptors=Receptors(er=False, pr=False, her2=False),
    )
    assert result.subtype is ST.TRIPLE_NEGATIVE


def test_no_subtype_and_no_receptors_is_unknown() -> None:
    assert resolve_subtype(primary_site=PrimarySite.BREAST).subtype is ST.UNKNOWN
    assert resolve_subtype(primary_site=PrimarySite.LUNG).subtype is ST.UNKNOWN


def test_an_unknown_primary_may_carry_receptors_from_a_spinal_biopsy() -> None:
    result = resolve_subtype(
        primary_site=PrimarySite.UNKNOWN, receptors=Receptors(er=True, pr=True, her2=True)
    )
    assert result.subtype is ST.LUMINAL_B


def test_a_non_breast_primary_with_a_breast_subtype_is_an_error() -> None:
    with pytest.raises(ScoringInputError) as caught:
        resolve_subtype(
            primary_site=PrimarySite.PROSTATE,
            subtype=ST.LUMINAL_A,
            receptors=Receptors(er=True),
        )
    assert set(caught.value.errors) == {"subtype", "receptors"}


def test_invalid_receptor_values_are_reported_under_receptors() -> None:
    with pytest.raises(ScoringInputError) as caught:
        resolve_subtype(
            primary_site=PrimarySite.BREAST,
            receptors=Receptors(er=1, ki67=-3),  # type: ignore[arg-type]
        )
    assert set(caught.value.errors) == {"receptors.er", "receptors.ki67"}
