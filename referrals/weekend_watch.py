"""The weekend watch, service policy v1 (CLINICAL.md §9b).

41.5 % of emergency spinal-metastasis admissions come on a Friday (Acta Neurochir 2019, PMID
31037499). Every Friday at 12:00 in the service's time zone, and at 12:00 on the day before a
listed public holiday (``PUBLIC_HOLIDAYS``), each MDT coordinator receives the open referrals
that are due, or would escalate, before the next working day; the ``orange`` ones go to the
receiving team's lead as well, to be triaged before the weekend.

The beat job runs every quarter of an hour and acts from 12:00 on a watch day: a beat that was
down at noon catches up. Each referral of the list is one alert per recipient (the alert
mechanism: in the bell, and an e-mail with ids only), keyed by the watch day, so a second run on
the same day adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import recipients
from .models import AWAITING_TRIAGE, AlertKind, Referral, ReferralStatus
from .services.alerts import alerts_insert

logger = logging.getLogger(__name__)

#: Policy version of the watch (CLINICAL.md §9b): change it with the rules below.
WEEKEND_WATCH_POLICY_VERSION = "v1"
#: When the watch runs on a watch day, service time.
WATCH_TIME = time(12, 0)
FRIDAY = 4
#: Service judgment (not in §9b): "before the next working day" means before it starts, at 08:00
#: service time; a referral due at 07:00 on Monday is on Friday's list.
WORKING_DAY_STARTS_AT = time(8, 0)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Monday to Friday, not a listed public holiday."""
    return day.weekday() < 5 and day not in holidays


def is_watch_day(day: date, holidays: Collection[date]) -> bool:
    """A Friday, or the day before a listed public holiday (§9b)."""
    return day.weekday() == FRIDAY or day + timedelta(days=1) in holidays


def next_working_day(day: date, holidays: Collection[date]) -> date:
    """The first working day after ``day``."""
    following = day + timedelta(days=1)
    while not is_working_day(following, holidays):
        following += timedelta(days=1)
    return following


def watch_horizon(now: datetime, holidays: Collection[date], zone: ZoneInfo) -> datetime | None:
    """The start of the next working day when ``now`` is at or after 12:00 of a watch day (in
    ``zone``), else ``None``: the watch lists what is due or escalates before it."""
    local = now.astimezone(zone)
    if not is_watch_day(local.date(), holidays) or local.time() < WATCH_TIME:
        return None
    return datetime.combine(next_working_day(local.date(), holidays), WORKING_DAY_STARTS_AT,
                            tzinfo=zone)


def watch_step(now: datetime, zone: ZoneInfo) -> int:
    """The alerts' key of a watch day (``20261204``): one watch per recipient, referral and day."""
    return int(now.astimezone(zone).strftime("%Y%m%d"))


def watched_referrals(horizon: datetime) -> list[Referral]:
    """Open referrals still awaiting triage that are due before ``horizon`` (overdue ones too),
    or sent, unacknowledged and with an escalation step due before it."""
    return list(
        Referral.objects.filter(status__in=AWAITING_TRIAGE)
        .filter(Q(due_at__lt=horizon)
                | Q(status=ReferralStatus.SENT, escalation_due_at__lt=horizon))
        .select_related("case", "receiving_team").order_by("due_at", "pk")
    )


@transaction.atomic
def weekend_watch(*, now: datetime | None = None) -> int:
    """Send the weekend watch if one is due now (beat, every 15 min). Returns the number of new
    alerts: 0 outside a watch day's afternoon, and 0 on a second run the same day."""
    from .services.escalation import enqueue_alert_batch

    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    horizon = watch_horizon(now, settings.PUBLIC_HOLIDAYS, zone)
    if horizon is None:
        return 0
    listed = watched_referrals(horizon)
    if not listed:
        return 0
    ids = alerts_insert(recipients.weekend_watch_recipients(listed),
                        kind=AlertKind.WEEKEND_WATCH, step=watch_step(now, zone))
    new_ids = [pk for batch in ids.values() for pk in batch]
    if new_ids:
        transaction.on_commit(lambda: enqueue_alert_batch(new_ids), robust=True)
    logger.info("weekend watch: %s referrals listed, %s new alerts", len(listed), len(new_ids))
    return len(new_ids)
