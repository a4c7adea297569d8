"""Every read of the meetings app.

Who sees a meeting (``meeting_list_visible_to``): its chair, its coordinator, the people invited
to it (its Attendance rows) and the members of its MDT team. Administrators see none (they manage
people, not patient data). The cases ON a meeting shown to a person are always filtered through
``cases.selectors.case_list_visible_to`` (``items_visible_to``): seeing a meeting never shows a
case of another care team. An outsider gets 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import timezone

from cases.access import team_ids_of, visible_case_condition, visible_rows
from cases.selectors import CaseDetail
from tumorboard.lookups import as_id, one_by_pk
from tumorboard.models import TeamMembership, User
from tumorboard.roles import CLINICAL_ROLES, Role, may_see_patients

from . import conf
from .models import (
    OPEN_MEETING_STATUSES,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Packet,
)


def meeting_list_visible_to(*, user: User) -> QuerySet[Meeting]:
    """Meetings ``user`` may open: chair, coordinator, invited, a member of its MDT team, or
    anyone who sees a case on its agenda (the breast surgeon whose patient is discussed; an
    integration client granted the case's team). What they see of its agenda is still only the
    cases they see (``items_visible_to``). One query."""
    if not may_see_patients(user):
        return Meeting.objects.none()
    invited = Attendance.objects.filter(meeting=OuterRef("pk"), user_id=user.pk)
    member = TeamMembership.objects.filter(team_id=OuterRef("mdt_team_id"), user_id=user.pk)
    my_case_on_agenda = AgendaItem.objects.filter(
        visible_case_condition(user=user, case_ref="case_id"), meeting=OuterRef("pk"))
    if user.role == Role.INTEGRATION:
        return Meeting.objects.filter(Exists(my_case_on_agenda))
    return Meeting.objects.filter(
        Q(chair_id=user.pk) | Q(coordinator_id=user.pk) | Exists(member) | Exists(invited)
        | Exists(my_case_on_agenda))


def meeting_get_visible(*, user: User, meeting_id: object, related: bool = True) -> Meeting:
    """The meeting, if ``user`` may open it, else 404; ``related=False``: without its team,
    chair and coordinator (an endpoint that answers with its agenda only).

    Its chair, its coordinator and the members of its MDT team open it with no query of the
    rule: their own meetings are most of what they open, and the rule's four EXISTS took a third
    of the agenda endpoint (bench/RESULTS.md, issue 22). Anyone else is asked of
    ``meeting_list_visible_to``, which a test holds this to."""
    pk = as_id(meeting_id)
    if pk is None or not may_see_patients(user):
        raise Http404("No such meeting.")
    meetings = Meeting.objects.all()
    if related:
        meetings = meetings.select_related("mdt_team", "mdt_team__institution", "chair",
                                           "coordinator")
    meeting = one_by_pk(meetings, pk)
    if meeting is None or not (
            _own_meeting(user, meeting)
            or meeting_list_visible_to(user=user).filter(pk=pk).exists()):
        raise Http404("No such meeting.")
    return meeting


def _own_meeting(user: User, meeting: Meeting) -> bool:
    """Chair, coordinator or a member of its MDT team: the first three ways of
    ``meeting_list_visible_to``, read from the row and the team ids the rule already holds."""
    if user.role == Role.INTEGRATION:
        return False
    return (user.pk in (meeting.chair_id, meeting.coordinator_id)
            or meeting.mdt_team_id in team_ids_of(user))


def meeting_list_for_display(*, user: User) -> QuerySet[Meeting]:
    return (meeting_list_visible_to(user=user)
            .select_related("mdt_team", "chair", "coordinator")
            .order_by("-starts_at", "-pk"))


def upcoming_meetings_for(*, user: User, now: datetime | None = None) -> list[Meeting]:
    """"My upcoming meetings": open meetings not yet ended where the user is chair, coordinator or
    invited (the MDT team's other meetings are on the meeting list). One query."""
    now = now or timezone.now()
    if not may_see_patients(user):
        return []
    invited = Attendance.objects.filter(meeting=OuterRef("pk"), user_id=user.pk)
    return list(
        Meeting.objects.filter(Q(chair_id=user.pk) | Q(coordinator_id=user.pk) | Exists(invited),
                               status__in=OPEN_MEETING_STATUSES,
                               starts_at__gte=now - timedelta(hours=12))
        .select_related("chair", "coordinator").order_by("starts_at", "pk")[:20]
    )


def items_visible_to(*, user: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's agenda items whose case ``user`` may see, in agenda order, with what the
    meeting page and the API show, in a constant number of queries."""
    return (
        visible_rows(AgendaItem.objects.all(), user=user).filter(meeting=meeting)
        .select_related("case", "case__patient", "case__latest_assessment", "presenter",
                        "requested_by", "decision", "decision__responsible")
        # The agenda shows the assessment's summary columns, never its JSON (~5 kB a row to
        # decode; 200 decodes a request for 100 items: bench/RESULTS.md, issue 22).
        .defer("case__latest_assessment__inputs", "case__latest_assessment__result")
        .order_by("position")
    )


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """One agenda item as the API lists it (``AgendaItemSerializer`` reads these attributes, as
    it reads an ``AgendaItem``'s): the item's columns read as values, with its decision."""

    pk: int
    position: int
    case_id: int
    source: str
    urgency: str
    max_sins: int | None
    max_bilsky: str
    referred_at: datetime
    priority_reason: str
    presenter_id: int | None
    question: str
    snapshot_locked: bool
    snapshot_pathway: str | None
    decision: Decision | None


_ROW_COLUMNS = ("pk", "position", "case_id", "source", "urgency", "max_sins", "max_bilsky",
                "referred_at", "priority_reason", "presenter_id", "question", "snapshot_locked",
                "snapshot_pathway")
_DECISION_FIELDS = tuple(field.attname for field in Decision._meta.concrete_fields)


def items_for_api(*, user: User, meeting: Meeting) -> list[AgendaRow]:
    """The meeting's items ``user`` may see, in agenda order, for the API, which shows ids where
    the page shows names: the item's columns as values, not model instances (100 items with
    their decisions were a fifth of the agenda's answer), a decision only for a decided item,
    and whether an item is locked and the pathway the service recommended read in SQL from its
    snapshot, never the snapshot itself (several kB of JSON an item; bench/RESULTS.md, issue
    22). One query."""
    items = (visible_rows(AgendaItem.objects.all(), user=user).filter(meeting=meeting)
             .order_by("position")
             .annotate(snapshot_locked=ExpressionWrapper(Q(snapshot__isnull=False),
                                                         output_field=BooleanField()),
                       snapshot_pathway=KT("snapshot__assessment__result__noms__pathway")))
    own = len(_ROW_COLUMNS)
    rows = []
    for row in items.values_list(*_ROW_COLUMNS,
                                 *(f"decision__{name}" for name in _DECISION_FIELDS)):
        decided = row[own] is not None  # the decision's id: an undecided item has none
        rows.append(AgendaRow(
            **dict(zip(_ROW_COLUMNS, row[:own], strict=True)),
            decision=Decision.from_db(items.db, _DECISION_FIELDS, row[own:]) if decided else None))
    return rows


@dataclass(frozen=True)
class StripItem:
    """One agenda item in meeting mode's strip: what the strip shows of it."""

    pk: int
    position: int
    family_name: str
    decided: bool


def agenda_strip(*, user: User, meeting: Meeting) -> list[StripItem]:
    """The strip of meeting mode: every visible item of the meeting, in agenda order, as the
    strip shows it (position, family name, decided). One narrow query: the whole rows of 100
    items, of which the page shows one, took a fifth of the page (bench/RESULTS.md, issue 22)."""
    decided = Decision.objects.filter(item_id=OuterRef("pk"))
    return [StripItem(*row) for row in (
        visible_rows(AgendaItem.objects.all(), user=user).filter(meeting=meeting)
        .annotate(decided=Exists(decided)).order_by("position")
        .values_list("pk", "position", "case__patient__family_name", "decided"))]


def opinions_by_item(items: list[AgendaItem]) -> dict[int, list[Any]]:
    """The preliminary opinions of these items, by item id, specialty order: one query."""
    from .models import PreliminaryOpinion

    found: dict[int, list[Any]] = {item.pk: [] for item in items}
    for opinion in (PreliminaryOpinion.objects.filter(item_id__in=list(found))
                    .select_related("author").order_by("specialty", "created_at", "pk")):
        found[opinion.item_id].append(opinion)
    return found


def care_team_clinicians(items: list[AgendaItem]) -> dict[int, list[User]]:
    """For each item, the active clinicians of its case's breast and spine teams (who may
    present it), by name: one query."""
    teams: dict[int, set[int]] = {}
    for item in items:
        teams[item.pk] = {team for team in (item.case.breast_team_id, item.case.spine_team_id)
                          if team}
    rows = (TeamMembership.objects.filter(team_id__in={t for ts in teams.values() for t in ts},
                                          user__is_active=True,
                                          user__role__in=CLINICAL_ROLES)
            .select_related("user").order_by("user__last_name", "user__first_name", "user_id"))
    members: dict[int, list[User]] = {}
    for row in rows:
        members.setdefault(row.team_id, []).append(row.user)
    result = {}
    for item_id, team_ids in teams.items():
        seen: dict[int, User] = {}
        for team in sorted(team_ids):
            for user in members.get(team, []):
                seen.setdefault(user.pk, user)
        result[item_id] = sorted(seen.values(), key=lambda u: (u.last_name, u.first_name, u.pk))
    return result


def hidden_item_count(*, user: User, meeting: Meeting, shown: int) -> int:
    """How many of the meeting's agenda items ``user`` cannot see (a case outside their care
    teams): the page says so instead of hiding them silently. One COUNT query."""
    return AgendaItem.objects.filter(meeting=meeting).count() - shown


def item_get_visible(*, user: User, meeting: Meeting, item_id: object) -> AgendaItem:
    item = one_by_pk(items_visible_to(user=user, meeting=meeting), as_id(item_id))
    if item is None:
        raise Http404("No such agenda item.")
    return item


def attendance_rows(*, meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendances.select_related("user").order_by("role", "user__last_name",
                                                                     "user_id"))


def quorum_state(attendances: list[Attendance]) -> dict[str, Any]:
    """Which quorum roles (meetings.conf) have someone recorded present; ``met`` when all do."""
    roles = conf.quorum_roles()
    # Only active clinicians count (DESIGN.md): a deactivated account's attendance does not.
    present = {role: [a.user.display_name for a in attendances
                      if a.role == role and a.present and a.user.is_active]
               for role in roles}
    missing = [role for role in roles if not present[role]]
    return {"roles": list(roles), "present": present, "missing": missing, "met": not missing}


def packet_for(*, meeting: Meeting, kind: str, user: User) -> Packet | None:
    return Packet.objects.filter(meeting=meeting, kind=kind, audience=user).first()


def case_meetings(*, case_id: int) -> tuple[dict[str, object] | None, list[Decision]]:
    """The case's next meeting (the open meeting whose agenda holds it, earliest first) and its
    decisions (newest first), from one query over its agenda items: each names its meeting and,
    once decided, its decision."""
    items = list(AgendaItem.objects.filter(case_id=case_id)
                 .select_related("meeting", "decision__responsible"))
    open_items = [item for item in items if item.meeting.status in OPEN_MEETING_STATUSES]
    next_meeting = None
    if open_items:
        item = min(open_items, key=lambda item: item.meeting.starts_at)
        next_meeting = {"id": item.meeting.pk, "starts_at": item.meeting.starts_at.isoformat(),
                        "status": item.meeting.status, "position": item.position}
    # An undecided item has no decision row: select_related cached None, so no query here.
    decisions = [item.decision for item in items if getattr(item, "decision", None) is not None]
    decisions.sort(key=lambda decision: (decision.decided_at, decision.pk), reverse=True)
    return next_meeting, decisions


def fill_case_status(detail: CaseDetail) -> None:
    """The meetings part of the case status (registered in ``meetings.apps``): the next meeting
    and the decisions, newest first."""
    detail.next_meeting, detail.decisions = case_meetings(case_id=detail.case.pk)
    detail.last_decision = decision_summary(detail.decisions[0]) if detail.decisions else None


def decision_summary(decision: Decision) -> dict[str, object]:
    return {
        "id": decision.pk, "meeting": decision.item.meeting_id,
        "meeting_status": decision.item.meeting.status,
        "decided_at": decision.decided_at.isoformat(), "pathway": decision.pathway,
        "stabilisation": decision.stabilisation, "urgency": decision.urgency or None,
        "responsible": decision.responsible_id,
        "follows_recommendation": decision.follows_recommendation,
        "carried_out": decision.carried_out,
        "carried_out_at": decision.carried_out_at.isoformat() if decision.carried_out_at else None,
    }


def clinicians() -> QuerySet[User]:
    """Who may chair, present or be responsible: active clinicians (tumorboard.roles)."""
    people = User.objects.filter(is_active=True, role__in=CLINICAL_ROLES)
    return people.order_by("last_name", "first_name", "pk")
