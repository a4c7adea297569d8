"""One small state machine for the apps: a table of moves, the lookup of a move, the moves from a
state, and the refusal (HTTP 409) that names what is allowed instead.

``referrals.states`` and ``meetings.states`` are tables of it: each declares its actions, its
``MOVES`` and its ``IllegalMove`` (its own wording and allowed list), and asks a ``Machine`` for
the move. Nothing here knows a model: statuses and actions are string enums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import Conflict

A = TypeVar("A", bound=str)
S = TypeVar("S", bound=str)


@dataclass(frozen=True, slots=True)
class Move(Generic[A, S]):
    """``action`` takes a record from ``from_status`` to ``to_status``."""

    action: A
    from_status: S
    to_status: S


M = TypeVar("M", bound=Move)


class IllegalMove(Conflict):
    """The table does not allow ``action`` from ``status`` (HTTP 409, nothing changed); the
    payload names the actions allowed instead."""

    def __init__(self, *, status: str, action: str, allowed: list[str], message: str) -> None:
        self.status, self.action, self.allowed = status, action, allowed
        super().__init__(message)

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": self.status, "allowed_actions": self.allowed}


class Machine(Generic[M]):
    """The moves of one table, looked up by (status, action); ``refuse(status, action)`` builds
    the app's ``IllegalMove``. A table with two moves for one (status, action) is refused."""

    def __init__(self, moves: Iterable[M], *,
                 refuse: Callable[[str, str], IllegalMove]) -> None:
        self.moves: tuple[M, ...] = tuple(moves)
        self._by_key = {(str(m.from_status), str(m.action)): m for m in self.moves}
        if len(self._by_key) != len(self.moves):
            raise ValueError("two moves share a (status, action)")
        self._refuse = refuse

    def move_for(self, status: str, action: str) -> M:
        move = self._by_key.get((str(status), str(action)))
        if move is None:
            raise self._refuse(str(status), str(action))
        return move

    def moves_from(self, status: str) -> list[M]:
        """The moves out of ``status``, in table order."""
        return [move for move in self.moves if move.from_status == status]
