"""Every read of the referral pathway. Every queryset starts from
``cases.selectors.case_list_visible_to`` (a referral is visible only when its case is); alerts
are, besides, their recipient's only. An outsider gets 404, never 403."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cases.access import visible_rows
from cases.selectors import LIST_COLUMNS, CaseDetail
from tumorboard.lookups import as_id, one_by_pk
from tumorboard.models import TeamMembership, User

from . import states
from .models import (
    AWAITING_TRIAGE,
    OPEN_STATUSES,
    QUEUE_STATUSES,
    Alert,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from .states import Party

#: Lists' order: red first, then orange, green, none (CLINICAL.md §9), then the due time, newest
#: first. The rank is the stored ``Referral.queue_rank``, so the triage queue's page is read in
#: this order from its index (``referral_queue_order_idx``).
LIST_ORDER = ("queue_rank", "due_at", "-pk")


def referral_list_visible_to(*, user: User) -> QuerySet[Referral]:
    return visible_rows(Referral.objects.all(), user=user)


#: What a referral list reads: the referral whole (its actions and the API's fields), and of
#: its case what a case list shows (``cases.selectors.LIST_COLUMNS``) with the deficit clock's
#: fields and the MDT team. The case's other 25 columns and the patient's were a third of the
#: triage queue's fetch (bench/RESULTS.md, issue 22); a query-count test of each list catches a
#: field read that is not here.
LIST_FIELDS = (
    *(field.name for field in Referral._meta.concrete_fields),
    *(f"case__{column}" for column in LIST_COLUMNS),
    "case__deficit_onset_at", "case__frankel", "case__neurological_deficit",
    "case__mdt_team_id",
)


def referral_list_for_display(*, user: User) -> QuerySet[Referral]:
    """Visible referrals with what lists show, red first then by due time, constant queries.

    Lists name the patient and show the scores; they never show the teams or the people by
    name, so those are not joined: with them the query joined eight tables and PostgreSQL spent
    9 ms planning it for 0.7 ms of execution (bench/RESULTS.md, issue 22)."""
    return (
        referral_list_visible_to(user=user)
        .select_related("case", "case__patient", "case__latest_assessment")
        .only(*LIST_FIELDS)
        .prefetch_related("triggers")
        .order_by(*LIST_ORDER)
    )


def referral_get_visible(*, user: User, referral_id: object) -> Referral:
    pk = as_id(referral_id)
    referral = one_by_pk(
        referral_list_visible_to(user=user)
        .select_related("case", "case__patient", "case__latest_assessment", "receiving_team",
                        "sending_team", "sender", "assignee")
        .prefetch_related("triggers", "workup_items__done_by", "workup_results__recorded_by",
                          Prefetch("events", to_attr="event_list")), pk)
    if referral is None:
        raise Http404("No such referral.")
    return referral


def user_team_ids(user: User) -> set[int]:
    return set(TeamMembership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))


def parties(referral: Referral, *, user: User, team_ids: set[int]) -> set[Party]:
    """The parties ``user`` acts as on ``referral``, from the user's team ids read once: a member
    of the receiving team receives; a member of the sending team sends (a case with no sending
    team: its sender). Who recorded the data that raised it plays no part
    (referrals.recipients)."""
    found = set()
    if referral.receiving_team_id in team_ids:
        found.add(Party.RECEIVER)
    if referral.sending_team_id in team_ids or (
            referral.sending_team_id is None and referral.sender_id == user.pk):
        found.add(Party.SENDER)
    return found


def allowed_actions(referral: Referral, *, user: User, team_ids: set[int]) -> list[str]:
    mine = parties(referral, user=user, team_ids=team_ids)
    return [move.action.value for move in states.moves_from(referral.status) if move.by in mine
            and not states.refused_for_direction(referral.direction, move.action)]


def with_user_teams(referrals: QuerySet[Referral], *, user: User) -> QuerySet[Referral]:
    """Each row says whether the user is in its receiving team and in its sending team, so that
    a list page learns the user's parties from its own rows (``row_team_ids``), without a query
    of its own for the user's teams."""
    mine = TeamMembership.objects.filter(user_id=user.pk)
    return referrals.annotate(
        user_receives=Exists(mine.filter(team_id=OuterRef("receiving_team_id"))),
        user_sends=Exists(mine.filter(team_id=OuterRef("sending_team_id"))))


def row_team_ids(referrals: Iterable[Referral]) -> set[int]:
    """The user's teams among the teams of these rows (loaded by ``with_user_teams``): all
    that ``parties`` asks about them."""
    found = set()
    for referral in referrals:
        if referral.user_receives:  # type: ignore[attr-defined]
            found.add(referral.receiving_team_id)
        if referral.user_sends and referral.sending_team_id:  # type: ignore[attr-defined]
            found.add(referral.sending_team_id)
    return found


def triage_queue(*, user: User) -> QuerySet[Referral]:
    """Incoming referrals of the user's teams still to act on: red first, then the due time.

    The user's teams that have a queue are read first (one small query: an index probe per
    team), so that the queue's filter is ``receiving_team_id = <the team>``: with the partial
    index ``referral_queue_order_idx`` (team, rank, due time, id) PostgreSQL reads a page's rows
    in the queue's order and stops, instead of joining and sorting every row of the queue
    (bench/RESULTS.md, issue 22). A person in two receiving teams with open referrals (rare)
    gets the two queues merged by a sort."""
    queued = Referral.objects.filter(receiving_team_id=OuterRef("team_id"),
                                     status__in=QUEUE_STATUSES)
    return with_user_teams(referral_list_for_display(user=user).filter(
        _team_filter("receiving_team_id", _teams_with(user, queued)),
        status__in=QUEUE_STATUSES), user=user)


def _teams_with(user: User, referrals: QuerySet[Referral]) -> list[int]:
    """The user's teams for which ``referrals`` (filtered on ``OuterRef("team_id")``) has a
    row: one small query (an index probe per team)."""
    return sorted(TeamMembership.objects.filter(user_id=user.pk).filter(Exists(referrals))
                  .values_list("team_id", flat=True))


def _team_filter(field: str, teams: list[int]) -> Q:
    """``field = team`` when there is one team, so that PostgreSQL reads the list's page in
    order from the team's index; ``IN`` otherwise (the lists of two teams merged by a sort)."""
    return Q(**{field: teams[0]}) if len(teams) == 1 else Q(**{f"{field}__in": teams})


def outgoing_referrals(*, user: User) -> QuerySet[Referral]:
    """Referrals sent by the user's teams, open ones and those closed in the last 30 days.

    Like the triage queue, from the user's sending teams read first, so that the page is read
    from ``referral_outgoing_order_idx`` in order (a join on the memberships sorted all 25,000
    of a team's referrals at 100k cases: 50 ms; issue 22)."""
    since = timezone.now() - timedelta(days=30)
    sent = Referral.objects.filter(sending_team_id=OuterRef("team_id"))
    return with_user_teams(referral_list_for_display(user=user).filter(
        _team_filter("sending_team_id", _teams_with(user, sent))).exclude(
        status__in=[s for s in ReferralStatus if s not in OPEN_STATUSES], updated_at__lt=since),
        user=user)


def overdue_referrals(*, user: User, now: datetime | None = None) -> QuerySet[Referral]:
    """Visible referrals past their due time without a triage decision."""
    return referral_list_for_display(user=user).filter(
        status__in=AWAITING_TRIAGE, due_at__lt=now or timezone.now())


def alert_list_for(*, user: User) -> QuerySet[Alert]:
    """The user's alerts whose case they still see: a referral's alert through its referral's
    case, a case's alert (an MDT decision) through the case."""
    # The rule once, on the case the alert is about (the bell runs on every page: the rule twice,
    # once per kind of alert, took 18 ms to build and plan; bench/RESULTS.md, issue 22).
    alerts = Alert.objects.alias(about=Coalesce("referral__case_id", "case_id"))
    return (visible_rows(alerts, user=user, case_ref="about", name="alerts")
            .filter(recipient_id=user.pk).select_related("referral"))


def alert_get_visible(*, user: User, alert_id: object) -> Alert:
    alert = one_by_pk(alert_list_for(user=user), as_id(alert_id))
    if alert is None:
        raise Http404("No such alert.")
    return alert


#: The bell counts unread alerts up to this many and shows "99+" beyond (a count of every
#: unread alert of a neurosurgeon with 23,000 of them cost 10 ms on every page; issue 22).
BELL_CAP = 99


def alert_unread_count(*, user: User, cap: int = BELL_CAP) -> int:
    """The bell: one query; ``cap + 1`` when there are more than ``cap``."""
    # Unordered: the first ``cap + 1`` found end the count (the list's order made PostgreSQL
    # read and sort every unread alert of the person first: 937 at 100k cases; issue 22).
    unread = alert_list_for(user=user).filter(acknowledged_at=None).order_by()
    return unread.values("pk")[:cap + 1].count()


def bell_words(count: int, cap: int = BELL_CAP) -> str:
    """The bell's number: "3", or "99+" past the cap."""
    return f"{cap}+" if count > cap else str(count)


def fill_case_status(detail: CaseDetail) -> None:
    """The referrals part of the case status (registered in ``referrals.apps``): the open
    referrals (one query), and every referral of the case, open and past, as an unevaluated
    queryset: the case page reads it (three queries), the status endpoint never does."""
    detail.open_referrals = case_open_referrals(case_id=detail.case.pk)
    detail.referrals = case_referrals(case_id=detail.case.pk)


def case_referrals(*, case_id: int) -> QuerySet[Referral]:
    """Every referral of one case already visible, newest first, with its teams, its triggers
    and its history (events with their actors): three queries whatever the number of rows."""
    events = ReferralEvent.objects.select_related("actor")
    return (Referral.objects.filter(case_id=case_id)
            .select_related("sending_team", "receiving_team")
            .prefetch_related("triggers", Prefetch("events", queryset=events,
                                                   to_attr="event_list"))
            .order_by("-created_at", "-pk"))


def case_open_referrals(*, case_id: int) -> list[dict[str, object]]:
    """The open referrals of one case already visible (the case status and the case page),
    each with its trigger codes in the order they fired: one query, the referrals' columns
    beside each trigger's code (a LEFT JOIN: a referral without triggers is one row with none).
    Two queries before, referrals then triggers: each costs about a millisecond of Django's
    work whatever its rows (bench/RESULTS.md, issue 22)."""
    rows = (Referral.objects.filter(case_id=case_id, status__in=OPEN_STATUSES)
            .order_by("direction", "pk", "triggers__fired_at", "triggers__pk")
            .values_list("pk", "direction", "status", "urgency", "due_at", "escalation_level",
                         "triggers__code"))
    found: dict[int, dict[str, Any]] = {}
    for pk, direction, status, urgency, due_at, level, code in rows:
        row = found.get(pk)
        if row is None:
            row = found[pk] = {
                "id": pk, "direction": direction, "status": status, "urgency": urgency or None,
                "due_at": due_at.isoformat() if due_at else None, "escalation_level": level,
                "triggers": []}
        if code is not None:
            row["triggers"].append(code)
    return list(found.values())


@dataclass(frozen=True)
class LastDecline:
    """The last declined referral of a case and direction: what re-flagging must show."""

    referral_id: int
    reason: str
    by: str
    at: datetime


def last_decline(*, case_id: int, direction: str = "breast_to_neuro",
                 before_id: int | None = None) -> LastDecline | None:
    """The latest decline of a referral of ``case_id`` and ``direction`` (older than referral
    ``before_id`` when given), with who declined it and when. One query."""
    events = ReferralEvent.objects.filter(referral__case_id=case_id,
                                          referral__direction=direction,
                                          to_status=ReferralStatus.DECLINED)
    if before_id is not None:
        events = events.filter(referral_id__lt=before_id)
    event = (events.select_related("actor", "referral").order_by("-at", "-pk").first())
    if event is None:
        return None
    return LastDecline(referral_id=event.referral_id, reason=event.referral.decline_reason,
                       by=event.actor.display_name if event.actor else "the service", at=event.at)
