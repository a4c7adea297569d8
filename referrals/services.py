"""Every write of the referral pathway: one function per change, called by pages, API, tasks.

Each is atomic, locks the referral row (``select_for_update``: concurrent triage has exactly one
winner), checks the move against ``referrals.states``, writes its ``ReferralEvent`` and audit row
in the same transaction, and enqueues its alerts on commit (ids only). Refusals: ``IllegalMove``
(HTTP 409), ``PermissionDenied`` (403), ``ValidationError`` keyed by field (400).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases import audit
from cases.models import AuditAction, Case
from integrations import webhooks
from scoring.calculators import (
    OCCULT_PRIMARY_WORKUP,
    URGENCY_DUE_HOURS,
    ReferralDirection,
    Trigger,
    TriggerCode,
    Urgency,
    urgency,
    urgency_due_at,
)
from tumorboard.errors import Conflict
from tumorboard.models import Team, TeamMembership, User
from tumorboard.roles import Role

from . import recipients, states
from .models import (
    OPEN_STATUSES,
    Alert,
    AlertKind,
    OccultWorkupItem,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ReferralTrigger,
    TriggerSource,
)
from .selectors import parties, user_team_ids
from .states import Action, Party
from .triggers import CaseFindings, case_findings

logger = logging.getLogger(__name__)

#: Codes of the occult-primary work-up items, in the order of the core's OCCULT_PRIMARY_WORKUP.
WORKUP_CODES = ("history", "examination", "pet_ct_or_bone_scan", "tumour_markers",
                "mammography_ultrasound", "spinal_biopsy")
assert len(WORKUP_CODES) == len(OCCULT_PRIMARY_WORKUP), "align WORKUP_CODES with the core"
#: Triggers a breast oncosurgeon flags by hand; each sets the case fact the rule reads (§8).
MANUAL_TRIGGERS = {
    TriggerCode.BACK_PAIN.value: "new_or_progressive_back_pain",
    TriggerCode.NEUROLOGICAL_DEFICIT.value: "neurological_deficit",
}
_URGENCY_RANK = {"": 0, Urgency.GREEN.value: 1, Urgency.ORANGE.value: 2, Urgency.RED.value: 3}


# --- teams and people -----------------------------------------------------------------------


def _teams_for(case: Case, direction: str) -> tuple[Team | None, Team | None]:
    """(sending team, receiving team) of a referral of ``direction`` on ``case``."""
    if direction == ReferralDirection.BREAST_TO_NEURO:
        return case.breast_team, case.spine_team
    return case.spine_team, case.breast_team


def is_member(user: User, team_id: int | None) -> bool:
    return team_id is not None and TeamMembership.objects.filter(
        team_id=team_id, user_id=user.pk).exists()


def referral_party(*, referral: Referral, user: User) -> set[Party]:
    """The parties ``user`` acts as on ``referral`` (referrals.selectors.parties)."""
    return parties(referral, user=user, team_ids=user_team_ids(user))


class TeamHasOpenReferral(Conflict):
    """A team that an open referral of the case involves cannot leave the case (HTTP 409): the
    referral would be left with nobody to triage it, or nobody to answer its questions."""

    def __init__(self, *, field: str, referral_id: int) -> None:
        self.field, self.referral_id = field, referral_id
        super().__init__(f"the {field.replace('_', ' ')} cannot change while open referral "
                         f"{referral_id} involves it: close or cancel the referral first")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "field": self.field, "referral": self.referral_id}


def guard_team_change(case: Case, field: str, old_team_id: int) -> None:
    """Registered with cases.services (referrals.apps): refuses to take a team off a case while
    an open referral of the case is sent by it or to it."""
    referral_id = (Referral.objects
                   .filter(Q(receiving_team_id=old_team_id) | Q(sending_team_id=old_team_id),
                           case_id=case.pk, status__in=OPEN_STATUSES)
                   .values_list("pk", flat=True).first())
    if referral_id is not None:
        raise TeamHasOpenReferral(field=field, referral_id=referral_id)


# --- alerts -------------------------------------------------------------------------------------


def _enqueue(alert_ids: list[int]) -> None:
    """Publish the delivery tasks. Best effort: a broker that is down loses nothing, the outbox
    beat job re-enqueues every alert still unsent (ALERT_OUTBOX_RESEND_AFTER_SECONDS)."""
    from .tasks import deliver_alert

    for alert_id in alert_ids:
        try:
            deliver_alert.delay(alert_id)
        except Exception:
            logger.warning("alert %s not enqueued; the outbox will resend it", alert_id,
                           exc_info=True)


#: Alerts per ``deliver_alerts`` task: few broker round trips for a batch, yet its e-mails
#: still spread over the worker processes.
ALERTS_PER_TASK = 25


def _enqueue_batch(alert_ids: list[int]) -> None:
    """Publish a batch's alerts (the escalation pass) as ``deliver_alerts`` tasks of
    ALERTS_PER_TASK ids, instead of one message per alert. Best effort, as ``_enqueue``: the
    outbox resends what is lost."""
    from .tasks import deliver_alerts

    for start in range(0, len(alert_ids), ALERTS_PER_TASK):
        chunk = alert_ids[start:start + ALERTS_PER_TASK]
        try:
            deliver_alerts.delay(chunk)
        except Exception:
            logger.warning("%s alerts not enqueued; the outbox will resend them", len(chunk),
                           exc_info=True)


def _alerts_insert(wanted: Mapping[int, Iterable[User]], *, kind: str, step: int,
                   about: str = "referral") -> dict[int, list[int]]:
    """The alert rows for ``{referral id: recipients}`` (``about="case"``: ``{case id:
    recipients}``, alerts about a case without a referral): one per recipient, deduplicated by
    the key (referral or case, recipient, kind, step); three queries for any number of them.
    Returns the ids of the new alerts by referral (or case) id. Publishing them is the
    caller's."""
    field = f"{about}_id"
    rows = Alert.objects.filter(kind=kind, step=step)
    if about == "case":
        rows = rows.filter(referral=None)
    people = {key: list({user.pk: user for user in users}) for key, users in wanted.items()}
    people = {key: users for key, users in people.items() if users}
    if not people:
        return {}
    existing = set(rows.filter(**{f"{field}__in": people})
                   .values_list(field, "recipient_id"))
    new = [Alert(**{field: key}, recipient_id=user_id, kind=kind, step=step)
           for key, users in people.items() for user_id in users
           if (key, user_id) not in existing]
    if not new:
        return {}
    # ignore_conflicts: a concurrent writer of the same key wins quietly (the unique key).
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    keys = {(getattr(alert, field), alert.recipient_id) for alert in new}
    created: dict[int, list[int]] = {}
    for pk, key, user_id in (
            rows.filter(**{f"{field}__in": {k for k, _ in keys}}, sent_at=None)
            .order_by("pk").values_list("pk", field, "recipient_id")):
        if (key, user_id) in keys:
            created.setdefault(key, []).append(pk)
    return created


def alerts_create(
    *, referral: Referral, recipients: Iterable[User], kind: str, step: int = 0
) -> list[int]:
    """One alert per recipient, deduplicated by the key (referral, recipient, kind, step); the
    deliveries are enqueued when the transaction commits. Returns the ids of new alerts."""
    ids = _alerts_insert({referral.pk: recipients}, kind=kind, step=step).get(referral.pk, [])
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


def case_alerts_create(*, case: Case, recipients: Iterable[User], kind: str,
                       step: int = 0) -> list[int]:
    """Alerts about a case without a referral (the responsible clinician of an MDT decision):
    as ``alerts_create``, deduplicated by (case, recipient, kind, step)."""
    ids = _alerts_insert({case.pk: recipients}, kind=kind, step=step, about="case").get(
        case.pk, [])
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    """The recipient has read the alert (the bell). Idempotent."""
    if alert.recipient_id != actor.pk:
        raise PermissionDenied("only the recipient acknowledges an alert")
    Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(acknowledged_at=timezone.now())
    alert.refresh_from_db()
    return alert


# --- raising --------------------------------------------------------------------------------


def _urgency_of(codes: Sequence[str], findings: CaseFindings) -> tuple[str, str]:
    """(urgency, rationale) of a referral carrying ``codes``: the core's §9 policy."""
    result = urgency(trigger_codes=[TriggerCode(code) for code in codes],
                     max_bilsky=findings.max_bilsky, max_sins=findings.max_sins,
                     subtype=findings.subtype)
    return (result.level.value if result.level else ""), " ".join(result.rationale)


def _event_row(referral: Referral, action: str, actor: User | None, *, from_status: str = "",
               to_status: str = "", note: str = "", at: datetime | None = None,
               **detail: Any) -> ReferralEvent:
    """An unsaved event: ``_event`` writes one, the escalation pass many (``_events_create``)."""
    return ReferralEvent(
        referral=referral, action=action, from_status=from_status,
        to_status=to_status or referral.status, actor=actor, at=at or timezone.now(), note=note,
        detail=detail,
    )


def _events_create(events: list[ReferralEvent]) -> list[ReferralEvent]:
    """Write the events in one INSERT, then their webhooks: outbox rows in this transaction,
    sent after commit (integrations.webhooks; nothing for an event that keeps the status)."""
    ReferralEvent.objects.bulk_create(events)
    for event in events:
        webhooks.referral_state_changed(referral=event.referral, from_status=event.from_status,
                                        to_status=event.to_status, at=event.at)
    return events


def _event(referral: Referral, action: str, actor: User | None, *, from_status: str = "",
           to_status: str = "", note: str = "", at: datetime | None = None,
           **detail: Any) -> ReferralEvent:
    return _events_create([_event_row(referral, action, actor, from_status=from_status,
                                      to_status=to_status, note=note, at=at, **detail)])[0]


def _recently_closed_with_same_evidence(case: Case, direction: str, fired: Sequence[Trigger],
                                        now: datetime) -> bool:
    """A fresh raise is suppressed when every fired trigger, with the same evidence, was on a
    referral declined, closed or cancelled within REFERRAL_QUIET_DAYS: the receiving team has
    decided on exactly these findings. New evidence (another level, a higher SINS) raises again.
    """
    since = now - timedelta(days=settings.REFERRAL_QUIET_DAYS)
    seen = set(ReferralTrigger.objects.filter(
        referral__case=case, referral__direction=direction,
        referral__status__in=[ReferralStatus.DECLINED, ReferralStatus.CLOSED,
                              ReferralStatus.CANCELLED],
        referral__updated_at__gte=since,
    ).values_list("code", "evidence"))
    return all((trigger.code.value, trigger.evidence) in seen for trigger in fired)


@transaction.atomic
def referral_raise(
    *,
    case: Case,
    direction: str,
    fired: Sequence[Trigger],
    findings: CaseFindings,
    actor: User,
    source: str = TriggerSource.RULES,
    note: str = "",
) -> Referral | None:
    """Raise a referral for the fired triggers of ``direction``, or extend the open one.

    A trigger is "newly fired" when its code is not on the open referral of that direction
    (CLINICAL.md §8). New codes are added to the open referral (one open referral per case and
    direction, a database constraint); its urgency and due time are recomputed by the core (§9)
    and kept when they got less urgent. ``None`` when the case has no receiving team, or the same
    findings were decided on within REFERRAL_QUIET_DAYS.
    """
    now = timezone.now()
    sending_team, receiving_team = _teams_for(case, direction)
    if receiving_team is None:
        logger.info("case %s: %s triggers fired but the case has no receiving team", case.pk,
                    direction)
        return None
    open_referral = (Referral.objects.select_for_update()
                     .filter(case=case, direction=direction, status__in=OPEN_STATUSES).first())
    if open_referral is not None:
        return _extend(open_referral, fired, findings, actor, source, now)
    if source == TriggerSource.RULES and _recently_closed_with_same_evidence(
            case, direction, fired, now):
        return None
    level, rationale = _urgency_of([t.code.value for t in fired], findings)
    # The sender is the sending side's clinician who raised it; data recorded by anyone else
    # (the receiving side, the service) raises it with no sender: the sending side still is the
    # origin team (referrals.recipients).
    sender = actor if sending_team is not None and is_member(actor, sending_team.pk) else None
    referral = Referral(
        case=case, direction=direction, sender=sender, raised_by=actor, sending_team=sending_team,
        receiving_team=receiving_team, urgency=level, urgency_rationale=rationale,
        due_at=urgency_due_at(Urgency(level), now) if level else None, note=note.strip(),
    )
    try:
        with transaction.atomic():  # a savepoint: the race loser re-reads and extends
            referral.save()
    except IntegrityError:
        winner = (Referral.objects.select_for_update()
                  .get(case=case, direction=direction, status__in=OPEN_STATUSES))
        return _extend(winner, fired, findings, actor, source, now)
    ReferralTrigger.objects.bulk_create(
        ReferralTrigger(referral=referral, code=t.code.value, evidence=t.evidence, source=source)
        for t in fired
    )
    codes = [t.code.value for t in fired]
    _event(referral, "raise", actor, to_status=ReferralStatus.RAISED, at=now, triggers=codes,
           urgency=level)
    if direction == ReferralDirection.NEURO_TO_BREAST:
        OccultWorkupItem.objects.bulk_create(
            OccultWorkupItem(referral=referral, code=code, position=index, text=text)
            for index, (code, text) in enumerate(zip(WORKUP_CODES, OCCULT_PRIMARY_WORKUP,
                                                     strict=True))
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=referral, case=case,
                 detail={"direction": direction, "triggers": codes, "urgency": level})
    _send(referral, actor, now)
    _systemic_therapy_hold(referral, findings)
    return referral


def _send(referral: Referral, actor: User, now: datetime) -> None:
    """raised -> sent: the referral and its alerts are in this transaction (both events kept)."""
    move = states.move_for(referral.status, Action.SEND)
    referral.status, referral.sent_at = move.to_status, now
    ack_by = now + timedelta(minutes=settings.REFERRAL_ALERT_ACK_MINUTES)
    referral.escalation_due_at = min(ack_by, referral.due_at) if referral.due_at else ack_by
    referral.save(update_fields=["status", "sent_at", "escalation_due_at", "updated_at"])
    _event(referral, Action.SEND, actor, from_status=move.from_status, at=now)
    alerts_create(referral=referral, recipients=recipients.first_recipients(referral),
                  kind=AlertKind.NEW_REFERRAL)


def _systemic_therapy_hold(referral: Referral, findings: CaseFindings) -> None:
    """High-grade ESCC (Bilsky 2-3) on a referral: the breast oncosurgeon holds or adjusts
    systemic therapy (S2 §5.1; CLINICAL.md §10). The dedupe key makes it once per referral."""
    if findings.high_grade:
        alerts_create(referral=referral,
                      recipients=recipients.recipients_for(AlertKind.SYSTEMIC_THERAPY_HOLD,
                                                           referral),
                      kind=AlertKind.SYSTEMIC_THERAPY_HOLD)


def _extend(referral: Referral, fired: Sequence[Trigger], findings: CaseFindings, actor: User,
            source: str, now: datetime) -> Referral:
    """Add the newly fired codes to the open referral; more urgent -> new urgency and due time."""
    have = dict(ReferralTrigger.objects.filter(referral=referral).values_list("code", "evidence"))
    new = [t for t in fired if t.code.value not in have]
    level, rationale = _urgency_of([*have, *(t.code.value for t in new)], findings)
    more_urgent = _URGENCY_RANK[level] > _URGENCY_RANK[referral.urgency]
    if new:
        ReferralTrigger.objects.bulk_create(
            ReferralTrigger(referral=referral, code=t.code.value, evidence=t.evidence,
                            source=source) for t in new)
    if not new and not more_urgent:
        return referral
    fields = ["updated_at"]
    if more_urgent:
        referral.urgency, referral.urgency_rationale = level, rationale
        # The clock of the new urgency runs from now, but never later than the old due time.
        due = urgency_due_at(Urgency(level), now)
        referral.due_at = min(due, referral.due_at) if (due and referral.due_at) else due
        fields += ["urgency", "urgency_rationale", "due_at"]
        if referral.status == ReferralStatus.SENT and referral.escalation_level == 0:
            referral.escalation_due_at = min(filter(None, [referral.escalation_due_at,
                                                           referral.due_at]))
            fields.append("escalation_due_at")
    referral.save(update_fields=fields)
    event = _event(referral, "extend", actor, from_status=referral.status, at=now,
                   triggers=[t.code.value for t in new], urgency=referral.urgency)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=referral, case=referral.case,
                 detail={"added_triggers": [t.code.value for t in new],
                         "urgency": referral.urgency})
    alerts_create(referral=referral,
                  recipients=recipients.recipients_for(AlertKind.REFERRAL_UPDATED, referral),
                  kind=AlertKind.REFERRAL_UPDATED, step=event.pk)
    _systemic_therapy_hold(referral, findings)
    return referral


@transaction.atomic
def referral_flag(*, case: Case, codes: Sequence[str], actor: User, note: str = "") -> Referral:
    """A breast oncosurgeon flags a trigger by hand (new back pain, a new deficit): the case fact
    the rule reads is set (cases' ``case_update``), then the §8 rules run, so the trigger and its
    evidence are the core's. A code the rules do not fire (back pain needs a known breast
    primary) is refused and nothing is saved."""
    from cases.services import case_update

    if actor.role != Role.BREAST_ONCOSURGEON or not is_member(actor, case.breast_team_id):
        raise PermissionDenied("a breast oncosurgeon of the case's breast team flags triggers")
    unknown = [code for code in codes if code not in MANUAL_TRIGGERS]
    if not codes or unknown:
        raise ValidationError({"trigger_codes": f"flag one or more of {sorted(MANUAL_TRIGGERS)}"})
    facts: dict[str, Any] = {MANUAL_TRIGGERS[code]: True for code in codes}
    case_update(case=case, actor=actor, expected_version=None, **facts)
    case.refresh_from_db()
    findings = case_findings(case)
    fired = findings.for_direction(ReferralDirection.BREAST_TO_NEURO)
    missing = [code for code in codes if code not in {t.code.value for t in fired}]
    if missing:
        raise ValidationError({"trigger_codes": f"the rules of CLINICAL.md §8 do not fire "
                                                f"{', '.join(missing)} for this case (back pain "
                                                f"needs a known breast primary)"})
    referral = referral_raise(case=case, direction=ReferralDirection.BREAST_TO_NEURO,
                              fired=fired, findings=findings, actor=actor,
                              source=TriggerSource.MANUAL, note=note)
    if referral is None:
        raise ValidationError({"case": "the case has no spine team to refer to"})
    ReferralTrigger.objects.filter(referral=referral, code__in=codes).update(
        source=TriggerSource.MANUAL)
    return referral


# --- transitions ----------------------------------------------------------------------------


def _locked(referral_id: int) -> Referral:
    return (Referral.objects.select_for_update(of=("self",))
            .select_related("case", "receiving_team").get(pk=referral_id))


def _party_of(action: str) -> Party:
    return next(move.by for move in states.MOVES if move.action == action)


def _transition(*, referral: Referral, action: Action, actor: User, note: str = "",
                required: tuple[str, str] | None = None, for_mdt: bool = False,
                **changes: Any) -> Referral:
    referral = _locked(referral.pk)
    party = _party_of(action)
    # ``for_mdt``: the MDT coordinator moves the referral for the board (meetings app), not as a
    # party of the referral; the move itself is checked by the same table.
    if not for_mdt and party not in referral_party(referral=referral, user=actor):
        who = "the receiving team" if party is Party.RECEIVER else "the referring team"
        raise PermissionDenied(f"only {who} may {action.replace('_', ' ')} this referral")
    move = states.move_for(referral.status, action)  # IllegalMove: 409, nothing changed
    if required is not None:  # (input field, message): checked on the locked, current row
        note = _text(note, *required)
    now = timezone.now()
    previous = referral.status
    referral.status = move.to_status
    for name, value in changes.items():
        setattr(referral, name, value)
    if action is Action.ACKNOWLEDGE:
        referral.acknowledged_at, referral.assignee = now, actor
    if action in states.DECISIONS:
        referral.decided_at = now
    if action in (Action.CLOSE, Action.CANCEL) or move.to_status == ReferralStatus.DECLINED:
        referral.closed_at = now
    if referral.status != ReferralStatus.SENT:
        referral.escalation_due_at = None  # escalation is for unacknowledged referrals only
    referral.full_clean(exclude=["case", "sender", "raised_by", "receiving_team"])
    referral.save()
    event = _event(referral, action, actor, from_status=previous, to_status=move.to_status,
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
}


def _notify(referral: Referral, action: Action, event: ReferralEvent) -> None:
    kind = NOTIFY.get(action)
    if kind is not None:
        alerts_create(referral=referral, recipients=recipients.recipients_for(kind, referral),
                      kind=kind, step=event.pk)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


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
def referrals_close_for_decision(*, case_ids: Iterable[int], actor: User,
                                 meeting_id: int) -> int:
    """The MDT decided (meetings.services.meeting_finalize): every referral of these cases listed
    for the MDT is closed, by the one state machine. Returns how many closed."""
    ids = list(Referral.objects.filter(case_id__in=list(case_ids),
                                       status=ReferralStatus.LISTED_FOR_MDT)
               .values_list("pk", flat=True))
    for pk in ids:
        _transition(referral=Referral(pk=pk), action=Action.CLOSE, actor=actor,
                    note=f"Decided at MDT meeting {meeting_id}.", for_mdt=True)
    return len(ids)


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


# --- occult-primary work-up -----------------------------------------------------------------


@transaction.atomic
def workup_item_tick(*, referral: Referral, code: str, actor: User) -> OccultWorkupItem:
    """Tick one work-up item (who, when). Either team of the referral; once."""
    referral = _locked(referral.pk)
    if not referral_party(referral=referral, user=actor):
        raise PermissionDenied("only the referring or receiving team ticks the work-up")
    item = OccultWorkupItem.objects.select_for_update().filter(referral=referral,
                                                              code=code).first()
    if item is None:
        raise ValidationError({"item_code": "not an item of this referral's work-up"})
    if item.done_at is not None:
        raise ValidationError({"item_code": "already done"})
    item.done_at, item.done_by = timezone.now(), actor
    item.save(update_fields=["done_at", "done_by"])
    referral.save(update_fields=["updated_at"])
    _event(referral, "workup_tick", actor, from_status=referral.status, item=code)
    audit.record(actor=actor, action=AuditAction.TICK, obj=item, case=referral.case,
                 detail={"referral": referral.pk, "item": code})
    return item


# --- escalation and the outbox (beat jobs) --------------------------------------------------


#: Referrals escalated per transaction: the pass's queries are per batch, not per referral.
ESCALATION_BATCH = 100


def escalate_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate every unacknowledged referral whose next step is due (beat, every minute).

    Step 1: the rest of the receiving team (everyone not yet alerted, the lead aside). Step 2,
    REFERRAL_ESCALATION_STEP_MINUTES later: the team lead and the MDT coordinators. The scan
    uses the index ``referral_escalation_due_idx``; the due referrals are then escalated in
    transactions of ESCALATION_BATCH (``_escalate_batch``): a constant number of queries, one
    commit and a few broker messages per batch. Returns the number of steps taken.
    """
    now = now or timezone.now()
    due = list(Referral.objects.filter(status=ReferralStatus.SENT, escalation_due_at__lte=now)
               .values_list("pk", flat=True)[:limit])
    return sum(_escalate_batch(due[start:start + ESCALATION_BATCH], now)
               for start in range(0, len(due), ESCALATION_BATCH))


@transaction.atomic
def _escalate_batch(referral_ids: list[int], now: datetime) -> int:
    """Take the next escalation step of each of these referrals that is still due.

    The claim: ``SELECT ... FOR UPDATE SKIP LOCKED`` re-checks each row (still sent, still due,
    below step 2) and locks it until the commit, and the step is taken from the locked row's
    ``escalation_level``. A second beat running at once skips the rows this one holds, and
    after the commit finds them no longer due (their ``escalation_due_at`` moved on), so no
    step is ever taken twice. Chosen over a conditional ``UPDATE ... RETURNING``: the same
    exclusion without raw SQL, and the locking read loads the rows the step needs. SQLite
    ignores the clause; its IMMEDIATE transactions serialise the beats instead.
    """
    claimed = list(
        Referral.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("case", "receiving_team")
        .filter(pk__in=referral_ids, status=ReferralStatus.SENT, escalation_due_at__lte=now,
                escalation_level__lt=2)
        .order_by("pk")
    )
    if not claimed:
        return 0
    first = [r for r in claimed if r.escalation_level == 0]
    second = [r for r in claimed if r.escalation_level == 1]
    after = now + timedelta(minutes=settings.REFERRAL_ESCALATION_STEP_MINUTES)
    for referrals, step, due_at in ((first, 1, after), (second, 2, None)):
        if referrals:
            Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
                escalation_level=step, escalation_due_at=due_at, updated_at=now)
    members: dict[int, list[TeamMembership]] = defaultdict(list)
    for m in (TeamMembership.objects
              .filter(team_id__in={r.receiving_team_id for r in claimed})
              .select_related("user").order_by("user_id")):
        members[m.team_id].append(m)
    # Step 1: the rest of the receiving team, everyone not yet alerted on the referral.
    alerted = set(Alert.objects.filter(referral__in=first)
                  .values_list("referral_id", "recipient_id")) if first else set()
    team_rest = {r.pk: [m.user for m in members[r.receiving_team_id]
                        if not m.is_lead and (r.pk, m.user_id) not in alerted
                        and m.user.is_active]
                 for r in first}
    # Step 2: the lead, then the MDT coordinators.
    coordinators = recipients.coordinators_of(second) if second else {}
    lead_and_mdt = {r.pk: [m.user for m in members[r.receiving_team_id]
                           if m.is_lead and m.user.is_active] + coordinators[r.pk]
                    for r in second}
    ids = {**_alerts_insert(team_rest, kind=AlertKind.ESCALATION_TEAM, step=1),
           **_alerts_insert(lead_and_mdt, kind=AlertKind.ESCALATION_LEAD, step=2)}
    _events_create([
        _event_row(r, "escalate", None, from_status=r.status, at=now,
                   level=r.escalation_level + 1, alerts=len(ids.get(r.pk, [])),
                   due_at=r.due_at.isoformat() if r.due_at else None)
        for r in claimed
    ])
    audit.record_many([
        audit.entry(actor=None, action=AuditAction.UPDATE, obj=r, case=r.case,
                    detail={"escalation_level": r.escalation_level + 1})
        for r in claimed
    ])
    new_ids = [pk for batch in ids.values() for pk in batch]
    if new_ids:
        transaction.on_commit(lambda: _enqueue_batch(new_ids), robust=True)
    return len(claimed)


def resend_unsent_alerts(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The outbox (beat, every minute): enqueue again every alert still unsent
    ALERT_OUTBOX_RESEND_AFTER_SECONDS after its commit, so an alert survives a crash between
    commit and publish and a broker that lost its queue. Delivery is idempotent, so a duplicate
    task is harmless. Uses the index ``alert_outbox_idx``. Gives up after ALERT_MAX_ATTEMPTS."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ALERT_OUTBOX_RESEND_AFTER_SECONDS)
    ids = list(Alert.objects.filter(sent_at=None, created_at__lt=cutoff,
                                    attempts__lt=settings.ALERT_MAX_ATTEMPTS)
               .order_by("created_at").values_list("pk", flat=True)[:limit])
    _enqueue(ids)
    return len(ids)


def due_hours(level: str) -> int | None:
    return URGENCY_DUE_HOURS.get(Urgency(level)) if level else None
