"""Performance status and neurology (CLINICAL.md §3 policy and §6).

KPS is the input. ECOG alone is mapped to KPS with Prasad KT et al., World J Clin Oncol
2018;9(7):140-7, taking the lower end of each range, and the result is marked ``from_ecog``.
Frankel HL et al., Paraplegia 1969;7(3):179-92: grades A-D are a neurological deficit.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .checks import REQUIRED, ecog_error, enum_error, is_int, kps_error
from .enums import Frankel
from .errors import ErrorBag, ScoringInputError

ECOG_REFERENCE: Final = "Prasad KT et al., World J Clin Oncol 2018;9(7):140-7; CLINICAL.md §3"

#: *Policy* (§3): ECOG 0 -> 100, 1 -> 80-90, 2 -> 70, 3 -> 50-60, 4 -> 10-40, lower end of each.
#: Other published mappings disagree at ECOG 1 and 3.
ECOG_TO_KPS: Final = MappingProxyType({0: 100, 1: 80, 2: 70, 3: 50, 4: 10})

#: Frankel grades that are a neurological deficit (§6): A complete, B sensory only, C motor
#: useless, D motor useful. E is normal.
FRANKEL_DEFICIT: Final = frozenset({Frankel.A, Frankel.B, Frankel.C, Frankel.D})


@dataclass(frozen=True, slots=True)
class PerformanceStatus:
    kps: int
    from_ecog: bool
    ecog: int | None = None


_FROM_KPS: Final = {kps: PerformanceStatus(kps=kps, from_ecog=False) for kps in range(0, 101, 10)}
_FROM_ECOG: Final = {
    ecog: PerformanceStatus(kps=kps, from_ecog=True, ecog=ecog) for ecog, kps in ECOG_TO_KPS.items()
}


def ecog_to_kps(ecog: int) -> int:
    """KPS for an ECOG grade, lower end of Prasad's range (CLINICAL.md §3 policy)."""
    if not is_int(ecog) or ecog not in ECOG_TO_KPS:
        raise ScoringInputError.single("ecog", ecog_error(ecog) or "cannot be mapped")
    return ECOG_TO_KPS[ecog]


def performance_status(*, kps: int | None = None, ecog: int | None = None) -> PerformanceStatus:
    """The KPS to score with: KPS when given (it wins over ECOG), else ECOG mapped (§3 policy).

    Both given: both must be valid, and KPS is used. Neither: an error on ``kps``.
    """
    if type(kps) is int and ecog is None:
        status = _FROM_KPS.get(kps)
        if status is not None:
            return status
    bag = ErrorBag()
    if kps is None and ecog is None:
        bag.add("kps", f"{REQUIRED}: give kps (0-100 in tens) or ecog (0-4)")
    if kps is not None and (reason := kps_error(kps)):
        bag.add("kps", reason)
    if ecog is not None and (reason := ecog_error(ecog)):
        bag.add("ecog", reason)
    bag.raise_if_any()
    if is_int(kps):
        return _FROM_KPS[kps]
    if is_int(ecog):
        return _FROM_ECOG[ecog]
    raise ScoringInputError.single("kps", REQUIRED)  # not reached: the checks above raised


def has_neurological_deficit(*, frankel: Frankel, stated_deficit: bool | None = None) -> bool:
    """Frankel A-D, or a stated limb weakness, sensory loss or sphincter dysfunction (§6)."""
    if not isinstance(frankel, str) or frankel not in Frankel._value2member_map_:
        raise ScoringInputError.single("frankel", enum_error(frankel, Frankel) or REQUIRED)
    if stated_deficit is not None and stated_deficit is not True and stated_deficit is not False:
        raise ScoringInputError.single("neurological_deficit", "expected a boolean (true or false)")
    return frankel in FRANKEL_DEFICIT or stated_deficit is True
