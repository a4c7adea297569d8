"""Every write of the meetings app: one function per change, called by pages, API and tasks.

Each is atomic, locks the meeting row, checks the move or operation against ``meetings.states``,
writes its ``MeetingEvent`` and audit rows in the same transaction, and sends its side effects on
commit (ids only). Refusals: ``IllegalMove`` (HTTP 409 with the allowed actions),
``QuorumNotMet`` (409), ``PermissionDenied`` (403), ``ValidationError`` keyed by field (400).

Who does what: the coordinator creates meetings of an MDT team they belong to; the meeting's
coordinator or chair runs it (agenda, attendance, lock, session, decisions, finalize); only the
chair may finalize without quorum, with a reason; any clinician who sees the meeting and the case
may add the case to a planned agenda with a question for the board.

One module per concept: ``meetings`` (scheduling, attendance, lock, reopen, start), ``agenda``,
``decisions`` (decisions, finalize, follow-up), ``prepare`` (presenters, preliminary opinions)
and ``packets``; callers import from here.
"""

from ..states import IllegalMove
from .agenda import agenda_item_add, agenda_item_move, agenda_item_update, agenda_populate
from .decisions import (
    DecisionConflict,
    QuorumNotMet,
    decision_follow_up,
    decision_record,
    meeting_finalize,
)
from .meetings import (
    MeetingNotToday,
    attendance_record,
    attendee_invite,
    is_runner,
    may_attend,
    meeting_create,
    meeting_lock,
    meeting_reopen,
    meeting_start,
)
from .packets import packet_request
from .prepare import may_present, opinion_record

__all__ = [
    "DecisionConflict",
    "IllegalMove",
    "MeetingNotToday",
    "QuorumNotMet",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_update",
    "agenda_populate",
    "attendance_record",
    "attendee_invite",
    "decision_follow_up",
    "decision_record",
    "is_runner",
    "may_attend",
    "may_present",
    "meeting_create",
    "meeting_finalize",
    "meeting_lock",
    "meeting_reopen",
    "meeting_start",
    "opinion_record",
    "packet_request",
]
