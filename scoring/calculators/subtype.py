"""Molecular subtype of breast cancer from receptor status (CLINICAL.md §12).

S2 Table 1 (St Gallen surrogate definitions; Goldhirsch A et al., Ann Oncol 2013;24(9):2206-23):
luminal A is ER and/or PR positive, HER2 negative, Ki-67 under 20 %; luminal B is ER and/or PR
positive with HER2 positive or Ki-67 high; HER2-enriched is ER and PR negative, HER2 positive;
triple-negative is ER, PR and HER2 negative; unknown when receptors are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from types import MappingProxyType
from typing import Final

from .checks import choices, enum_error, is_real
from .enums import MolecularSubtype, PrimarySite
from .errors import ErrorBag, ScoringInputError
from .inputs import Receptors
from .version import RULES_VERSION

SUBTYPE_REFERENCE: Final = (
    "S2 Table 1; Goldhirsch A et al., Ann Oncol 2013;24(9):2206-23 (St Gallen); CLINICAL.md §12"
)
#: Ki-67 of 20 % or more is high (§12: low is under 20 %).
KI67_HIGH_FROM_PERCENT: Final = 20
#: A molecular subtype applies to breast cancer, and to an unknown primary whose spinal biopsy
#: gave a receptor panel (service judgment); any other primary with a subtype is a data error.
SUBTYPE_SITES: Final = frozenset({PrimarySite.BREAST, PrimarySite.UNKNOWN})

_ST = MolecularSubtype
_LABEL: Final = {
    _ST.LUMINAL_A: "luminal A",
    _ST.LUMINAL_B: "luminal B",
    _ST.HER2_ENRICHED: "HER2-enriched",
    _ST.TRIPLE_NEGATIVE: "triple-negative",
    _ST.UNKNOWN: "unknown",
}


def _definite(er: bool, pr: bool, her2: bool, ki67_high: bool) -> MolecularSubtype:
    if er or pr:
        return _ST.LUMINAL_B if her2 or ki67_high else _ST.LUMINAL_A
    return _ST.HER2_ENRICHED if her2 else _ST.TRIPLE_NEGATIVE


def _options(value: bool | None) -> tuple[bool, ...]:
    return (False, True) if value is None else (value,)


#: Every subtype consistent with a (partly) known receptor status, keyed (er, pr, her2, ki67 high);
#: ``None`` is "not known". Built once: 81 rows.
SUBTYPES_CONSISTENT_WITH: Final = MappingProxyType(
    {
        key: frozenset(_definite(*combo) for combo in product(*(_options(value) for value in key)))
        for key in product((None, False, True), repeat=4)
    }
)


@dataclass(frozen=True, slots=True)
class SubtypeResult:
    subtype: MolecularSubtype
    rationale: tuple[str, ...]
    possible: frozenset[MolecularSubtype]
    reference: str = SUBTYPE_REFERENCE
    rules_version: str = RULES_VERSION


def receptor_errors(receptors: Receptors) -> dict[str, list[str]]:
    bag = ErrorBag()
    for name in ("er", "pr", "her2"):
        value = getattr(receptors, name)
        if value is not None and value is not True and value is not False:
            bag.add(name, "expected a boolean (true or false) or null")
    ki67 = receptors.ki67
    if ki67 is not None and (not is_real(ki67) or not 0 <= ki67 <= 100):
        bag.add("ki67", "must be a percentage between 0 and 100")
    return bag.errors


def molecular_subtype(
    *, er: bool | None, pr: bool | None, her2: bool | None, ki67: float | None = None
) -> SubtypeResult:
    """Subtype from receptors (CLINICAL.md §12, S2 Table 1, St Gallen).

    A partly known status still gives a subtype when every completion agrees (ER positive with
    Ki-67 30 % is luminal B whatever HER2 is); otherwise the subtype is ``unknown``.
    """
    receptors = Receptors(er=er, pr=pr, her2=her2, ki67=ki67)
    errors = receptor_errors(receptors)
    if errors:
        raise ScoringInputError(errors)
    ki67_high = None if ki67 is None else ki67 >= KI67_HIGH_FROM_PERCENT
    possible = SUBTYPES_CONSISTENT_WITH[er, pr, her2, ki67_high]
    subtype = next(iter(possible)) if len(possible) == 1 else _ST.UNKNOWN
    status = ", ".join(
        (
            _status("ER", er),
            _status("PR", pr),
            _status("HER2", her2),
            "Ki-67 not known"
            if ki67 is None
            else f"Ki-67 {ki67:g} % ({'high' if ki67_high else 'low'})",
        )
    )
    if subtype is _ST.UNKNOWN:
        could_be = " or ".join(_LABEL[s] for s in _ST if s in possible)
        sentence = f"{status}: subtype unknown (could be {could_be})."
    else:
        sentence = f"{status}: {_LABEL[subtype]}."
    return SubtypeResult(subtype=subtype, rationale=(sentence,), possible=possible)


def _status(name: str, value: bool | None) -> str:
    return f"{name} not known" if value is None else f"{name} {'positive' if value else 'negative'}"


_NO_RECEPTORS: Final = SubtypeResult(
    subtype=_ST.UNKNOWN, rationale=("No receptor status given: subtype unknown.",),
    possible=frozenset(_ST) - {_ST.UNKNOWN},
)  # fmt: skip
_GIVEN: Final = {
    subtype: SubtypeResult(
        subtype=subtype, rationale=(f"Subtype {_LABEL[subtype]} as given.",), possible=frozenset()
    )
    for subtype in _ST
}


def resolve_subtype(
    *,
    primary_site: PrimarySite,
    subtype: MolecularSubtype | None = None,
    receptors: Receptors | None = None,
) -> SubtypeResult:
    """The subtype to use: the one given, checked against the receptors, or the one they give.

    A given subtype must be consistent with the receptors, else an error on ``subtype`` (CLINICAL.md
    §12 decides the subtype from the receptors; a contradiction is a data-entry error). A given
    ``unknown`` claims nothing, so the receptors decide. Non-breast primaries carry no subtype.
    """
    # Results depend on a handful of values: cache them, but only for exact types, since
    # Receptors(er=1) == Receptors(er=True) and the cache must not skip refusing the 1.
    if (
        type(primary_site) is PrimarySite
        and (subtype is None or type(subtype) is _ST)
        and (receptors is None or (type(receptors) is Receptors and _exact(receptors)))
    ):
        return _resolve_cached(primary_site, subtype, receptors)
    return _resolve(primary_site, subtype, receptors)


def _exact(receptors: Receptors) -> bool:
    return (
        _is_flag(receptors.er)
        and _is_flag(receptors.pr)
        and _is_flag(receptors.her2)
        and (receptors.ki67 is None or type(receptors.ki67) in (int, float))
    )


def _is_flag(value: object) -> bool:
    return value is None or value is True or value is False


@lru_cache(maxsize=1024)
def _resolve_cached(
    primary_site: PrimarySite, subtype: MolecularSubtype | None, receptors: Receptors | None
) -> SubtypeResult:
    return _resolve(primary_site, subtype, receptors)


def _resolve(
    primary_site: PrimarySite, subtype: MolecularSubtype | None, receptors: Receptors | None
) -> SubtypeResult:
    bag = ErrorBag()
    if reason := enum_error(primary_site, PrimarySite):
        bag.add("primary_site", reason)
    if subtype is not None and enum_error(subtype, _ST):
        bag.add("subtype", f"expected one of {choices(_ST)} or null")
    if receptors is not None and not isinstance(receptors, Receptors):
        bag.add("receptors", "expected Receptors")
    bag.raise_if_any()
    claimed = None if subtype is None or subtype == _ST.UNKNOWN else _ST(subtype)
    if receptors is not None and receptors == _EMPTY:
        receptors = None
    if (claimed or receptors) and primary_site not in SUBTYPE_SITES:
        bag = ErrorBag()
        reason = "a breast-cancer subtype needs primary_site 'breast' (or 'unknown')"
        if claimed:
            bag.add("subtype", reason)
        if receptors:
            bag.add("receptors", reason)
        bag.raise_if_any()
    if receptors is None:
        return _NO_RECEPTORS if claimed is None else _GIVEN[claimed]
    try:
        derived = molecular_subtype(
            er=receptors.er, pr=receptors.pr, her2=receptors.her2, ki67=receptors.ki67
        )
    except ScoringInputError as error:
        raise error.prefixed("receptors") from None
    if claimed is None:
        return derived
    if claimed not in derived.possible:
        raise ScoringInputError.single(
            "subtype", f"'{claimed}' conflicts with the receptors: {derived.rationale[0]}"
        )
    return SubtypeResult(
        subtype=claimed,
        rationale=(
            f"Subtype {_LABEL[claimed]} as given, consistent with the receptors. "
            + derived.rationale[0],
        ),
        possible=derived.possible,
    )


_EMPTY: Final = Receptors()
