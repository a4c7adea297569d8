"""SLA escalation of referrals nobody acknowledged (beat, every minute), in batches.

When each step is due is the policy table ``scoring.calculators.ESCALATION_MINUTES``
(CLINICAL.md §9a, by urgency); ``escalation_first_due_at`` and ``escalate_due`` read it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases import audit
from cases.models import AuditAction
from cases.polling import touch_cases
from scoring.calculators import ESCALATION_MINUTES, Urgency
from tumorboard.models import TeamMembership

from .. import recipients
from ..models import Alert, AlertKind, Referral, ReferralStatus
from .alerts import alerts_insert
from .events import event_row, events_write

logger = logging.getLogger(__name__)

#: Referrals escalated per transaction: the pass's queries are per batch, not per referral.
ESCALATION_BATCH = 100
#: Alerts per ``deliver_alerts`` task: few broker round trips for a batch, yet its e-mails
#: still spread over the worker processes.
ALERTS_PER_TASK = 25


def escalation_minutes(level: str) -> tuple[float, float]:
    """(minutes from sending to step 1, from sending to step 2) of a referral of urgency
    ``level`` (none: green's), from the policy table (CLINICAL.md §9a, policy v2).

    Every interval is divided by REFERRAL_ESCALATION_CLOCK_DIVISOR, which is 1 in service; only
    the reliability soak raises it, to see both steps of a referral within its five minutes.
    """
    step_1, step_2 = ESCALATION_MINUTES[Urgency(level) if level else Urgency.GREEN]
    divisor = settings.REFERRAL_ESCALATION_CLOCK_DIVISOR
    return step_1 / divisor, step_2 / divisor


def escalation_first_due_at(referral: Referral, since: datetime) -> datetime:
    """When step 1 of a referral is due, timed from ``since`` (its sending, or the moment its
    urgency rose): the table's minutes later, never after the referral's due time."""
    ack_by = since + timedelta(minutes=escalation_minutes(referral.urgency)[0])
    return min(ack_by, referral.due_at) if referral.due_at else ack_by


def escalation_retimed_at(referral: Referral, risen_at: datetime) -> datetime | None:
    """The next escalation step of a sent, unacknowledged referral whose urgency has just risen
    (``referral.urgency`` is the new one): timed from ``risen_at`` by the new urgency's row,
    never later than it was already due (§9a). ``None`` once both steps were taken."""
    if referral.escalation_level >= 2:
        return None
    step_2 = escalation_minutes(referral.urgency)[1]
    if referral.escalation_level == 0:
        new = escalation_first_due_at(referral, risen_at)
    else:
        new = risen_at + timedelta(minutes=step_2)
    return min(filter(None, [referral.escalation_due_at, new]))


def _step_gap(level: str) -> timedelta:
    """Time between step 1 and step 2 of a referral of urgency ``level`` (§9a)."""
    step_1, step_2 = escalation_minutes(level)
    return timedelta(minutes=step_2 - step_1)


def enqueue_alert_batch(alert_ids: list[int]) -> None:
    """Publish a batch's alerts as ``deliver_alerts`` tasks of ALERTS_PER_TASK ids, instead of
    one message per alert. Best effort: the outbox (``resend_unsent_alerts``) resends what is
    lost."""
    from ..tasks import deliver_alerts  # referrals.tasks imports the services

    for start in range(0, len(alert_ids), ALERTS_PER_TASK):
        chunk = alert_ids[start:start + ALERTS_PER_TASK]
        try:
            deliver_alerts.delay(chunk)
        except Exception:
            logger.warning("%s alerts not enqueued; the outbox will resend them", len(chunk),
                           exc_info=True)


def escalate_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate every unacknowledged referral whose next step is due (beat, every minute).

    Step 1: the rest of the receiving team (everyone not yet alerted, the lead aside). Step 2,
    at the table's second time: the team lead and the MDT coordinators. The scan uses the
    index ``referral_escalation_due_idx``; the due referrals are then escalated in transactions
    of ESCALATION_BATCH (``_escalate_batch``): a constant number of queries, one commit and a
    few broker messages per batch. Returns the number of steps taken.
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
    # Step 2 is due the table's gap after step 1 was due (not after this beat), so 60 min
    # from sending for a red one: one UPDATE per gap, i.e. per urgency.
    by_gap: dict[timedelta, list[int]] = defaultdict(list)
    for r in first:
        by_gap[_step_gap(r.urgency)].append(r.pk)
    for gap, pks in by_gap.items():
        Referral.objects.filter(pk__in=pks).update(
            escalation_level=1, escalation_due_at=F("escalation_due_at") + gap, updated_at=now)
    if second:
        Referral.objects.filter(pk__in=[r.pk for r in second]).update(
            escalation_level=2, escalation_due_at=None, updated_at=now)
    # The escalation level is shown with the case (open_referrals): polling clients see it.
    touch_cases(r.case_id for r in claimed)
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
    ids = {**alerts_insert(team_rest, kind=AlertKind.ESCALATION_TEAM, step=1),
           **alerts_insert(lead_and_mdt, kind=AlertKind.ESCALATION_LEAD, step=2)}
    events_write([
        event_row(r, "escalate", None, from_status=r.status, at=now,
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
        transaction.on_commit(lambda: enqueue_alert_batch(new_ids), robust=True)
    return len(claimed)
