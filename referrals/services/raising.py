"""Raising a referral: a fired trigger (CLINICAL.md §8) raises one, or extends the open one of
its direction, with the core's urgency and due time (§9); it is sent at once, with its alerts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import audit
from cases.models import AuditAction, Case
from scoring.calculators import (
    OCCULT_PRIMARY_WORKUP,
    ReferralDirection,
    Trigger,
    TriggerCode,
    Urgency,
    therapies_to_hold,
    urgency,
    urgency_due_at,
)
from tumorboard.models import User
from tumorboard.roles import Role

from .. import recipients, states
from ..models import (
    OPEN_STATUSES,
    AlertKind,
    OccultWorkupItem,
    Referral,
    ReferralStatus,
    ReferralTrigger,
    TriggerSource,
)
from ..states import Action
from ..triggers import CaseFindings, case_findings
from .alerts import alerts_create
from .escalation import escalation_first_due_at, escalation_retimed_at
from .events import event_write
from .teams import is_member, refers_to_itself, teams_for

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


def _urgency_of(codes: Sequence[str], findings: CaseFindings) -> tuple[str, str]:
    """(urgency, rationale) of a referral carrying ``codes``: the core's §9 policy."""
    result = urgency(trigger_codes=[TriggerCode(code) for code in codes],
                     max_bilsky=findings.max_bilsky, max_sins=findings.max_sins,
                     subtype=findings.subtype)
    return (result.level.value if result.level else ""), " ".join(result.rationale)


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
    and kept when they got less urgent. ``None`` when the case has no receiving team, when the
    rules would make a team refer to itself (``teams.refers_to_itself``: a neurosurgeon-first
    patient), or the same findings were decided on within REFERRAL_QUIET_DAYS.
    """
    now = timezone.now()
    sending_team, receiving_team = teams_for(case, direction)
    if receiving_team is None:
        logger.info("case %s: %s triggers fired but the case has no receiving team", case.pk,
                    direction)
        return None
    if source == TriggerSource.RULES and refers_to_itself(case, direction, sending_team,
                                                          receiving_team):
        logger.info("case %s: %s triggers fired; the receiving team has the case already",
                    case.pk, direction)
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
    event_write(referral, "raise", actor, to_status=ReferralStatus.RAISED, at=now,
                triggers=codes, urgency=level)
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
    referral.escalation_due_at = escalation_first_due_at(referral, now)
    referral.save(update_fields=["status", "sent_at", "escalation_due_at", "updated_at"])
    event_write(referral, Action.SEND, actor, from_status=move.from_status, at=now)
    alerts_create(referral=referral, recipients=recipients.first_recipients(referral),
                  kind=AlertKind.NEW_REFERRAL)


def _systemic_therapy_hold(referral: Referral, findings: CaseFindings) -> None:
    """High-grade ESCC (Bilsky 2-3) on a referral of a patient on a therapy that needs holding
    (a CDK4/6 inhibitor or a bone-modifying agent, CLINICAL.md §10): the breast oncosurgeon holds
    or adjusts it (S2 §5.1). No such therapy recorded: no advice. The dedupe key makes it once per
    referral."""
    case = referral.case
    if findings.high_grade and therapies_to_hold(
            cdk46_inhibitor=case.cdk46_inhibitor, bone_modifying_agent=case.bone_modifying_agent):
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
        if referral.status == ReferralStatus.SENT and referral.escalation_level < 2:
            # §9a: re-timed from the moment the urgency rose, by the new urgency's row.
            referral.escalation_due_at = escalation_retimed_at(referral, now)
            fields.append("escalation_due_at")
    referral.save(update_fields=fields)
    event = event_write(referral, "extend", actor, from_status=referral.status, at=now,
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
    started = timezone.now()
    facts: dict[str, Any] = {MANUAL_TRIGGERS[code]: True for code in codes}
    case_update(case=case, actor=actor, expected_version=None, **facts)
    case.refresh_from_db()
    findings = case_findings(case)
    fired = findings.for_direction(ReferralDirection.BREAST_TO_NEURO)
    missing = [code for code in codes if code not in {t.code.value for t in fired}]
    if missing:
        raise ValidationError({"trigger_codes": f"the referral rules do not fire "
                                                f"{', '.join(missing)} for this case (back pain "
                                                f"needs a known breast primary)"})
    referral = referral_raise(case=case, direction=ReferralDirection.BREAST_TO_NEURO,
                              fired=fired, findings=findings, actor=actor,
                              source=TriggerSource.MANUAL, note=note)
    if referral is None:
        raise ValidationError({"case": "the case has no spine team to refer to"})
    ReferralTrigger.objects.filter(referral=referral, code__in=codes).update(
        source=TriggerSource.MANUAL)
    # The other codes that fired with them came from the recorded findings, not from the flag.
    ReferralTrigger.objects.filter(referral=referral, source=TriggerSource.MANUAL,
                                   fired_at__gte=started).exclude(code__in=codes).update(
        source=TriggerSource.RULES)
    if note.strip() and not referral.note:
        # case_update above already raised it by the rules (issue 17): the note goes on it.
        referral.note = note.strip()
        referral.save(update_fields=["note", "updated_at"])
    return referral
