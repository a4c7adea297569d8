"""The meeting state machine: ONE table of allowed moves, and one table of what may be done to
a meeting in each state (issue 6).

planned -> agenda_locked -> in_session -> finalized; a locked agenda may be reopened (back to
planned) before the session starts. Agenda edits happen while planned; decisions while in
session; attendance at any time before finalizing; follow-up of decisions after. Anything else is
``IllegalMove`` (HTTP 409 with the allowed actions, nothing changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from tumorboard import statemachine

from .models import MeetingStatus as S


class Action(StrEnum):
    LOCK = "lock"
    REOPEN = "reopen"
    START = "start"
    FINALIZE = "finalize"


class Operation(StrEnum):
    """Edits that do not move the meeting but are allowed in some states only."""

    POPULATE = "populate"
    ADD_ITEM = "add_item"
    REORDER = "reorder"
    EDIT_ITEM = "edit_item"
    ATTENDANCE = "attendance"
    DECIDE = "decide"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class Move(statemachine.Move[Action, S]):
    """A move of the meeting table."""


MOVES: Final[tuple[Move, ...]] = (
    Move(Action.LOCK, S.PLANNED, S.AGENDA_LOCKED),
    Move(Action.REOPEN, S.AGENDA_LOCKED, S.PLANNED),
    Move(Action.START, S.AGENDA_LOCKED, S.IN_SESSION),
    Move(Action.FINALIZE, S.IN_SESSION, S.FINALIZED),
)
OPERATIONS: Final[dict[Operation, frozenset[S]]] = {
    Operation.POPULATE: frozenset({S.PLANNED}),
    Operation.ADD_ITEM: frozenset({S.PLANNED}),
    Operation.REORDER: frozenset({S.PLANNED}),
    Operation.EDIT_ITEM: frozenset({S.PLANNED, S.AGENDA_LOCKED}),
    Operation.ATTENDANCE: frozenset({S.PLANNED, S.AGENDA_LOCKED, S.IN_SESSION}),
    Operation.DECIDE: frozenset({S.IN_SESSION}),
    Operation.FOLLOW_UP: frozenset({S.IN_SESSION, S.FINALIZED}),
}


class IllegalMove(statemachine.IllegalMove):
    """The state machine does not allow ``action`` while the meeting is ``status``."""

    def __init__(self, *, status: str, action: str) -> None:
        super().__init__(status=status, action=action, allowed=allowed_actions(status),
                         message=f"cannot {action.replace('_', ' ')} a meeting that is "
                                 f"{status.replace('_', ' ')}")


_MACHINE: Final = statemachine.Machine(
    MOVES, refuse=lambda status, action: IllegalMove(status=status, action=action))


def allowed_actions(status: str) -> list[str]:
    """Moves and operations allowed from ``status``, moves first."""
    moves = [move.action.value for move in _MACHINE.moves_from(status)]
    return moves + [op.value for op, states in OPERATIONS.items() if status in states]


def move_for(status: str, action: str) -> Move:
    return _MACHINE.move_for(status, action)


def require(status: str, operation: Operation) -> None:
    if status not in OPERATIONS[operation]:
        raise IllegalMove(status=status, action=operation.value)
