"""The referral state machine: ONE table of allowed moves (DESIGN.md, Referral).

raised -> sent -> acknowledged -> accepted | declined (reason) | info_requested (question; the
sender answers and it returns to acknowledged) -> listed_for_mdt -> closed; the sender may cancel
before the triage decision. Anything else is ``IllegalMove`` (HTTP 409, nothing changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from tumorboard import statemachine

from .models import TO_RADIATION_ONCOLOGY
from .models import ReferralStatus as S


class Action(StrEnum):
    SEND = "send"
    ACKNOWLEDGE = "acknowledge"
    ACCEPT = "accept"
    DECLINE = "decline"
    REQUEST_INFO = "request_info"
    ANSWER = "answer"
    LIST_FOR_MDT = "list_for_mdt"
    CLOSE = "close"
    CANCEL = "cancel"
    RESOLVE = "resolve"  # a finalized MDT decision answers the referral (the service's own)
    # The occult-primary work-up (CLINICAL.md §17; referrals.services.workup): a confirmed breast
    # primary moves the referral on to accepted; a work-up that excludes the breast closes it.
    CONFIRM_PRIMARY = "confirm_primary"
    EXCLUDE_PRIMARY = "exclude_primary"


class Party(StrEnum):
    SYSTEM = "system"  # the service itself, on raise
    RECEIVER = "receiver"  # a member of the receiving team
    SENDER = "sender"  # a member of the sending team (or the sender)


@dataclass(frozen=True, slots=True)
class Move(statemachine.Move[Action, S]):
    """A move of the referral table, and the party who may make it."""

    by: Party


MOVES: Final[tuple[Move, ...]] = (
    Move(Action.SEND, S.RAISED, S.SENT, Party.SYSTEM),
    Move(Action.ACKNOWLEDGE, S.SENT, S.ACKNOWLEDGED, Party.RECEIVER),
    Move(Action.ACCEPT, S.ACKNOWLEDGED, S.ACCEPTED, Party.RECEIVER),
    Move(Action.DECLINE, S.ACKNOWLEDGED, S.DECLINED, Party.RECEIVER),
    Move(Action.REQUEST_INFO, S.ACKNOWLEDGED, S.INFO_REQUESTED, Party.RECEIVER),
    Move(Action.ANSWER, S.INFO_REQUESTED, S.ACKNOWLEDGED, Party.SENDER),
    Move(Action.LIST_FOR_MDT, S.ACCEPTED, S.LISTED_FOR_MDT, Party.RECEIVER),
    Move(Action.CLOSE, S.LISTED_FOR_MDT, S.CLOSED, Party.RECEIVER),
    Move(Action.CANCEL, S.RAISED, S.CANCELLED, Party.SENDER),
    Move(Action.CANCEL, S.SENT, S.CANCELLED, Party.SENDER),
    Move(Action.CANCEL, S.ACKNOWLEDGED, S.CANCELLED, Party.SENDER),
    # A finalized MDT decision on the case resolves every open referral of it, whatever its
    # stage (meetings.services.meeting_finalize): the board has answered it.
    *(Move(Action.RESOLVE, status, S.CLOSED, Party.SYSTEM)
      for status in (S.RAISED, S.SENT, S.ACKNOWLEDGED, S.INFO_REQUESTED, S.ACCEPTED,
                     S.LISTED_FOR_MDT)),
    *(Move(Action.CONFIRM_PRIMARY, status, S.ACCEPTED, Party.SYSTEM)
      for status in (S.SENT, S.ACKNOWLEDGED, S.INFO_REQUESTED)),
    *(Move(Action.EXCLUDE_PRIMARY, status, S.CLOSED, Party.SYSTEM)
      for status in (S.RAISED, S.SENT, S.ACKNOWLEDGED, S.INFO_REQUESTED, S.ACCEPTED,
                     S.LISTED_FOR_MDT)),
)
#: Actions a person takes from a page or the API (``send`` is the service's own).
PERSON_ACTIONS: Final = tuple(action for action in Action
                              if any(move.action == action and move.by is not Party.SYSTEM
                                     for move in MOVES))
#: Triage decisions: the end of "time to triage decision" (CLINICAL.md §14).
DECISIONS: Final = frozenset({Action.ACCEPT, Action.DECLINE})


class IllegalMove(statemachine.IllegalMove):
    """The state machine does not allow ``action`` from ``status``."""

    def __init__(self, *, status: str, action: str) -> None:
        super().__init__(status=status, action=action,
                         allowed=[move.action.value for move in moves_from(status)],
                         message=f"cannot {action} a referral that is {status}")


_MACHINE: Final = statemachine.Machine(
    MOVES, refuse=lambda status, action: IllegalMove(status=status, action=action))


def moves_from(status: str) -> list[Move]:
    """The moves a person may make from ``status`` (the service's own ``send`` left out)."""
    return [move for move in _MACHINE.moves_from(status) if move.by is not Party.SYSTEM]


def move_for(status: str, action: str) -> Move:
    return _MACHINE.move_for(status, action)


#: A radiotherapy referral comes after the board's decision (CLINICAL.md §15-§16): it is never
#: listed for the MDT; it stays accepted while the radiation oncologist plans.
_REFUSED_BY_DIRECTION: Final = {TO_RADIATION_ONCOLOGY: frozenset({Action.LIST_FOR_MDT})}


def refused_for_direction(direction: str, action: str) -> bool:
    return action in _REFUSED_BY_DIRECTION.get(direction, frozenset())


def party_of(action: str) -> Party:
    """Who makes ``action`` (the same party from every status it leaves)."""
    return next(move.by for move in MOVES if move.action == action)
