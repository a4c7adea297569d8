"""The triage moves of a referral: one function per move, all through ``_transition``, which
locks the row, checks the party and the move against ``referrals.states``, writes the event and
the audit row, and alerts the other side (``NOTIFY``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.models import AuditAction
from tumorboard.models import User
from tumorboard.services import locked, required_text

from .. import recipients, states
from ..models import OPEN_STATUSES, AlertKind, Referral, ReferralEvent, ReferralStatus
from ..states import Action, Party
from .alerts import alerts_create
from .events import event_write
from .radiotherapy import join_care_team
from .teams import referral_party

_REFERRALS = Referral.objects.select_related("case", "receiving_team")


def _transition(*, referral: Referral, action: Action, actor: User, note: str = "",
                required: tuple[str, str] | None = None, for_mdt: bool = False,
                **changes: Any) -> Referral:
    referral = locked(_REFERRALS, referral.pk)
    party = states.party_of(action)
    # ``for_mdt``: the MDT coordinator moves the referral for the board (meetings app), not as a
    # party of the referral; the move itself is checked by the same table.
    if not for_mdt and party not in referral_party(referral=referral, user=actor):
        who = "the receiving team" if party is Party.RECEIVER else "the referring team"
        raise PermissionDenied(f"only {who} may {action.replace('_', ' ')} this referral")
    move = states.move_for(referral.status, action)  # IllegalMove: 409, nothing changed
    if states.refused_for_direction(referral.direction, action):
        raise states.IllegalMove(status=referral.status, action=action)
    if required is not None:  # (input field, message): checked on the locked, current row
        note = required_text(note, *required)
    now = timezone.now()
    previous = referral.status
    referral.status = move.to_status
    for name, value in changes.items():
        setattr(referral, name, value)
    if action is Action.ACKNOWLEDGE:
        referral.acknowledged_at, referral.assignee = now, actor
        join_care_team(referral, actor)
    if action in states.DECISIONS:
        referral.decided_at = now
    if move.to_status in (ReferralStatus.CLOSED, ReferralStatus.CANCELLED,
                          ReferralStatus.DECLINED):
        referral.closed_at = now
    if referral.status != ReferralStatus.SENT:
        referral.escalation_due_at = None  # escalation is for unacknowledged referrals only
    referral.full_clean(exclude=["case", "sender", "raised_by", "receiving_team"])
    referral.save()
    event = event_write(referral, action, actor, from_status=previous, to_status=move.to_status,
                        note=note, at=now)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=referral, case=referral.case,
                 detail={"action": action.value, "from": previous, "to": move.to_status})
    _notify(referral, action, event)
    return referral


#: The alert of each person's move (the recipients: referrals.recipients.RECIPIENTS).
NOTIFY: dict[Action, str] = {
    Action.REQUEST_INFO: AlertKind.INFO_REQUESTED,
    Action.ANSWER: AlertKind.ANSWERED,
    Action.ACCEPT: AlertKind.DECIDED,
    Action.DECLINE: AlertKind.DECIDED,
    Action.CANCEL: AlertKind.CANCELLED,
    # The occult-primary work-up's outcome (CLINICAL.md §17) reaches the referring team too.
    Action.CONFIRM_PRIMARY: AlertKind.DECIDED,
    Action.EXCLUDE_PRIMARY: AlertKind.DECIDED,
}


def _notify(referral: Referral, action: Action, event: ReferralEvent) -> None:
    kind = NOTIFY.get(action)
    if kind is not None:
        alerts_create(referral=referral, recipients=recipients.recipients_for(kind, referral),
                      kind=kind, step=event.pk)


@transaction.atomic
def referral_acknowledge(*, referral: Referral, actor: User) -> Referral:
    """sent -> acknowledged: a receiving clinician takes it (stops the SLA escalation)."""
    return _transition(referral=referral, action=Action.ACKNOWLEDGE, actor=actor)


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User, note: str = "") -> Referral:
    return _transition(referral=referral, action=Action.ACCEPT, actor=actor, note=note)


@transaction.atomic
def referral_decline(*, referral: Referral, actor: User, reason: str) -> Referral:
    """acknowledged -> declined; the reason is required (DESIGN.md, Referral)."""
    reason = (reason or "").strip()
    return _transition(referral=referral, action=Action.DECLINE, actor=actor, note=reason,
                       decline_reason=reason,
                       required=("reason", "say why the referral is declined"))


@transaction.atomic
def referral_request_info(*, referral: Referral, actor: User, question: str) -> Referral:
    """acknowledged -> info_requested; the question is required and goes to the sender."""
    question = (question or "").strip()
    return _transition(referral=referral, action=Action.REQUEST_INFO, actor=actor,
                       note=question, info_question=question,
                       required=("question", "ask the question"))


@transaction.atomic
def referral_answer(*, referral: Referral, actor: User, answer: str) -> Referral:
    """info_requested -> acknowledged: the sender answers; the referral returns to the receiver."""
    answer = (answer or "").strip()
    return _transition(referral=referral, action=Action.ANSWER, actor=actor, note=answer,
                       info_answer=answer, required=("answer", "give the answer"))


@transaction.atomic
def referral_list_for_mdt(*, referral: Referral, actor: User) -> Referral:
    return _transition(referral=referral, action=Action.LIST_FOR_MDT, actor=actor)


@transaction.atomic
def referral_close(*, referral: Referral, actor: User, note: str = "") -> Referral:
    return _transition(referral=referral, action=Action.CLOSE, actor=actor, note=note)


@transaction.atomic
def referral_cancel(*, referral: Referral, actor: User, reason: str = "",
                    note: str = "") -> Referral:
    """The sending side withdraws the referral before the triage decision, saying why (the
    receiving side is told). ``note`` is the former name of ``reason``."""
    reason = (reason or note or "").strip()
    return _transition(referral=referral, action=Action.CANCEL, actor=actor, note=reason,
                       cancel_reason=reason,
                       required=("reason", "say why the referral is cancelled"))


@transaction.atomic
def referrals_list_for_meeting(*, case_ids: Iterable[int], actor: User, meeting_id: int) -> int:
    """The MDT agenda was locked (meetings.services.meeting_lock): every accepted referral of
    these cases moves to listed_for_mdt, by the one state machine. Returns how many moved."""
    ids = list(Referral.objects.filter(case_id__in=list(case_ids),
                                       status=ReferralStatus.ACCEPTED).values_list("pk", flat=True))
    for pk in ids:
        _transition(referral=Referral(pk=pk), action=Action.LIST_FOR_MDT, actor=actor,
                    note=f"On the agenda of MDT meeting {meeting_id}.", for_mdt=True)
    return len(ids)


@transaction.atomic
def referrals_close_for_decision(*, decisions: Mapping[int, int], actor: User,
                                 meeting_id: int) -> int:
    """The MDT decided (meetings.services.meeting_finalize): every open referral of the decided
    cases, whatever its stage (a red one still "sent" included), is closed and linked to the
    decision on its case (``decisions``: case id -> decision id), by the one state machine, so
    the triage queue, the outgoing list and the overdue list drop it. Returns how many closed."""
    rows = list(Referral.objects.filter(case_id__in=list(decisions), status__in=OPEN_STATUSES)
                .order_by("pk").values_list("pk", "case_id"))
    for pk, case_id in rows:
        _transition(referral=Referral(pk=pk), action=Action.RESOLVE, actor=actor,
                    note=f"Resolved by the decision of MDT meeting {meeting_id}.", for_mdt=True,
                    mdt_decision_id=decisions[case_id])
    return len(rows)


ACTION_SERVICES: dict[Action, Callable[..., Referral]] = {
    Action.ACKNOWLEDGE: referral_acknowledge,
    Action.ACCEPT: referral_accept,
    Action.DECLINE: referral_decline,
    Action.REQUEST_INFO: referral_request_info,
    Action.ANSWER: referral_answer,
    Action.LIST_FOR_MDT: referral_list_for_mdt,
    Action.CLOSE: referral_close,
    Action.CANCEL: referral_cancel,
}
