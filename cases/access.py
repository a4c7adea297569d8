"""Who sees a case, and who may change it: THE access rule (DESIGN.md, "Who sees a case").

Every page, endpoint, export, PDF, calendar file, FHIR resource, webhook and alert starts from
``visible_case_condition`` (through ``cases.selectors``). A person sees a case when they are:

- a member of its breast team or spine team;
- an oncologist added to it on the case form (``Case.oncologists``), or a clinician the service
  added to its care team (``CareTeamMember``: the responsible clinician of an MDT decision, the
  owner of a follow-through task);
- an MDT coordinator of the patient's institution, or of the case's MDT team;
- whatever a higher layer registers with ``register_access_source``: the attendees of a meeting
  whose agenda holds the case (meetings), the integration clients granted one of its teams
  (integrations), the radiation oncologists of the service a radiotherapy referral of the case
  went to (referrals, CLINICAL.md §16). The higher app registers its source in
  ``AppConfig.ready``; a test proves each is registered.

The rule reads the rows that grant access (memberships, care-team rows, attendance, grants) when
it is built, once per request (``tumorboard.requestmemo``), and names their ids in the queries
of that request: nothing is copied into a permission table or kept between requests, so a change
made by any path (admin, API, management command, a shell's plain ORM) holds on the next request
in both directions, and a change of access audited during a request (``audit_access_change``)
drops the rule it built so far.
Administrators see no patient data here (the admin audits its own reads).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalRecords

from tumorboard.models import TeamMembership, User
from tumorboard.requestmemo import forget_all, memoized
from tumorboard.roles import Role, is_care_team_clinician, may_see_patients

from .models import AuditAction, CareTeamMember, Case

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

@dataclass(frozen=True)
class GrantingRows:
    """Rows that grant cases one by one, as SQL: one SELECT of a single column, ``case_id``
    (no ORDER BY, no LIMIT: it becomes one member of a UNION ALL), with its parameters.

    SQL rather than a queryset, because the rule is read on every request: building the
    querysets of the person's granting rows and compiling their union took 1.7 ms of every
    page, running it 0.06 ms (bench/RESULTS.md, issue 22). A source writes its SQL as one
    constant string (tables by name, every value a parameter; a date-time through
    ``db_datetime``), and its test holds it to the same rows written with the ORM."""

    sql: str
    params: tuple[object, ...] = ()


def db_datetime(value: datetime) -> object:
    """A date-time parameter as the database stores it (SQLite keeps text in UTC)."""
    return connection.ops.adapt_datetimefield_value(value)


#: One way of seeing cases, for ``user``: the rows that grant cases (``GrantingRows``: read
#: with the person's other granting rows in one query), or a condition on ``Case`` rows (name
#: ids read now, when the rule is built, so that lists filter on indexed columns), or ``None``
#: when it grants this user nothing.
AccessSource = Callable[[User], "Q | GrantingRows | None"]
_SOURCES: dict[str, AccessSource] = {}


def register_access_source(name: str, source: AccessSource) -> None:
    """A higher app adds one way of seeing cases (the layers of DESIGN.md: cases never imports
    meetings or integrations). Registering the same name again replaces it."""
    _SOURCES[name] = source


def access_sources() -> dict[str, AccessSource]:
    return dict(_SOURCES)


def _case_condition(user: User) -> Q | None:
    """The rule as a condition on ``Case`` rows; ``None`` when the user sees no case at all.

    The rows that grant access are read here, when the rule is built (once per request), and
    the rule names their ids: a list's query then filters on plain columns that its indexes
    serve, instead of compiling and planning five to seven subqueries in every list (25-30 % of
    the pages that show several lists; bench/RESULTS.md, issue 22).
    """
    if not may_see_patients(user):
        return None
    teams, cases, conditions = _grants(user)
    parts = []
    if teams:
        parts += [Q(breast_team_id__in=teams), Q(spine_team_id__in=teams)]
    if cases:
        parts.append(Q(pk__in=cases))
    if user.role == Role.COORDINATOR:
        # They build the agendas and receive the escalations of the institution's cases.
        if teams:
            parts.append(Q(mdt_team_id__in=teams))
        if user.institution_id is not None:
            parts.append(Q(patient__institution_id=user.institution_id))
    parts += conditions
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


_TEAM, _CASE = 0, 1


#: The person's own granting rows: their teams (kind 0), the cases they were added to as an
#: oncologist or to the care team (kind 1). Test: test_access_granting_sql.
_OWN_ROWS = (
    "SELECT team_id, 0 FROM tumorboard_teammembership WHERE user_id = %s"
    " UNION ALL SELECT case_id, 1 FROM cases_case_oncologists WHERE user_id = %s"
    " UNION ALL SELECT case_id, 1 FROM cases_careteammember WHERE user_id = %s"
)


def _granting_ids(user: User, granting: list[GrantingRows]) -> tuple[list[int], list[int]]:
    """The person's team ids and the ids of the cases granted to them one by one (added
    oncologist, care team, the registered sources' rows), in one query."""
    # The sources' constant SQL (GrantingRows), never a value: those are parameters.
    sql = " UNION ALL ".join([_OWN_ROWS, *(
        "SELECT granted.case_id, 1 FROM (" + rows.sql + ") AS granted"  # noqa: S608
        for rows in granting)])
    params: list[Any] = [user.pk, user.pk, user.pk,
                         *(param for rows in granting for param in rows.params)]
    teams: set[int] = set()
    cases: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, kind in cursor.fetchall():
            (teams if kind == _TEAM else cases).add(pk)
    return sorted(teams), sorted(cases)


def team_ids_of(user: User) -> list[int]:
    """The ids of the person's teams, as the rule reads them for this request (no query once a
    list or page has built the rule): a meeting asks whether its MDT team is one of them."""
    return _grants(user)[0] if may_see_patients(user) else []


def _grants(user: User) -> tuple[list[int], list[int], list[Q]]:
    """What grants the person cases, read once per request: their team ids, the ids of the
    cases granted one by one, and the registered sources' conditions."""
    def read() -> tuple[list[int], list[int], list[Q]]:
        conditions, granting = [], []
        for source in _SOURCES.values():
            extra = source(user)
            if isinstance(extra, GrantingRows):
                granting.append(extra)
            elif extra is not None:
                conditions.append(extra)
        return (*_granting_ids(user, granting), conditions)

    return memoized(("grants", *_person(user)), read)


def visible_case_condition(*, user: User, case_ref: str = "pk") -> Q:
    """The rule as a filter on any model that names a case.

    ``case_ref`` is the path to the case id from the filtered model ("pk" on Case, "case_id" on a
    referral, "referral__case_id" on an alert). On another model it is one correlated EXISTS on
    the case: the planner probes the case's primary key for each candidate row.
    """
    # Built once per request for each person and path (tumorboard.requestmemo), from the
    # granting rows as they are when the request first needs it.
    return memoized(("visible_case_condition", *_person(user), case_ref),
                    lambda: _visible_case_condition(user, case_ref))


def _person(user: User) -> tuple[object, ...]:
    """Who the rule is for (a request may act for another person: the memo keys on them)."""
    return (user.pk, getattr(user, "role", None), user.is_active,
            getattr(user, "institution_id", None))


def _visible_case_condition(user: User, case_ref: str) -> Q:
    # The granting rows are read once per request, whatever the paths the request filters.
    condition = memoized(("case_condition", *_person(user)), lambda: _case_condition(user))
    if condition is None:
        return Q(pk__in=[])
    if case_ref == "pk":
        return condition
    return Q(Exists(Case.objects.filter(condition, pk=OuterRef(case_ref))))


def visible_rows(queryset: QuerySet[M], *, user: User, case_ref: str = "case_id",
                 name: str = "") -> QuerySet[M]:
    """The rows of ``queryset`` whose case ``user`` sees: every list's starting point.

    The rule is resolved into a query once per request for each kind of rows (``name``, or the
    model) and each list gets a copy: resolving its subqueries cost about 6 ms a list, a home
    page builds ten lists (bench/RESULTS.md, issue 22). Outside a request, every call resolves.
    The memo is keyed by the model: pass its whole rows, or a ``name`` of the queryset's own.
    """
    if not name and queryset.query.has_filters():
        raise ValueError("visible_rows: a filtered queryset needs a name of its own")
    key = ("visible_rows", name or queryset.model._meta.label, case_ref, *_person(user))
    return memoized(key, lambda: queryset.filter(
        visible_case_condition(user=user, case_ref=case_ref))).all()


def case_list_visible_to(*, user: User) -> QuerySet[Case]:
    """The cases ``user`` may see (the module docstring)."""
    return visible_rows(Case.objects.all(), user=user, case_ref="pk")


def case_is_visible(*, user: User, case_id: int) -> bool:
    return case_list_visible_to(user=user).filter(pk=case_id).exists()


def case_can_change(*, user: User, case: Case) -> bool:
    """Who writes to a case: an active clinician of its care team (its teams, its added
    oncologists, the clinicians the service added). Coordinators and attendees read; integration
    clients and administrators never write. Palliative care physicians and physiotherapists
    added to the care team write too (issue 19). No query for a member of its teams once the
    rule is read in the request; one otherwise."""
    if not is_care_team_clinician(user):
        return False
    # A member of its teams, from the team ids the rule read for this request (no query). The
    # case ids it read include the sources' (meetings, radiotherapy), which grant reading only:
    # the added oncologists and the care team are asked.
    if {case.breast_team_id, case.spine_team_id} & set(team_ids_of(user)):
        return True
    return Case.objects.filter(pk=case.pk).filter(
        Q(Exists(Case.oncologists.through.objects.filter(case_id=OuterRef("pk"),
                                                           user_id=user.pk)))
        | Q(Exists(CareTeamMember.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)))
    ).exists()


def care_team_add(*, case: Case, user: User, reason: str, actor: User | None) -> bool:
    """Add ``user`` to the care team of ``case`` for ``reason`` (audited); True when added now.
    A person who already sees the case through their team is added all the same: the row keeps
    the case theirs if they leave the team while the decision or task is theirs."""
    if not is_care_team_clinician(user):
        raise ValueError("only an active clinician joins a care team")
    _, created = CareTeamMember.objects.get_or_create(
        case=case, user=user, defaults={"reason": reason, "added_by": actor})
    return created


# --- the audit of every change of access, whatever made it -----------------------------------


def _request_actor() -> User | None:
    """The person behind the current request (admin, API, page), None in a shell or a task."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def audit_access_change(*, granted: bool, kind: str, user_id: int, case: Case | None = None,
                        **detail: Any) -> None:
    """One audit row for a change of who may see what: ids only. The request's rule is built
    again from the rows as they are now (a service that grants and then reads, in one request)."""
    from . import audit  # audit imports the models; access is imported by the app's ready()

    forget_all()

    audit.record(actor=_request_actor(),
                 action=AuditAction.GRANT if granted else AuditAction.REVOKE,
                 case=case, object_type=kind, object_id=user_id,
                 detail={"user": user_id, **detail})


def _oncologists_changed(sender: type, instance: Any, action: str, reverse: bool,
                         pk_set: set[int] | None, **kwargs: Any) -> None:
    """``Case.oncologists`` changed from either side (a case's form, a user's admin page)."""
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    granted = action == "post_add"
    if reverse:  # instance is the user, pk_set the cases
        for case in Case.objects.filter(pk__in=pk_set):
            audit_access_change(granted=granted, kind="oncologist", user_id=instance.pk,
                                case=case)
    else:
        for user_id in sorted(pk_set):
            audit_access_change(granted=granted, kind="oncologist", user_id=user_id,
                                case=instance)


#: Every receiver that audits a change of access, (signal, receiver, sender, dispatch uid), held
#: here and connected with strong references: they live as long as the process whatever DEBUG
#: is (a local function connected weakly is collected as soon as ``ready()`` returns).
RECEIVERS: list[tuple[Any, Callable[..., None], Any, str]] = []


def _connect(signal: Any, receiver: Callable[..., None], sender: Any, uid: str) -> None:
    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)
    if all(known[3] != uid for known in RECEIVERS):
        RECEIVERS.append((signal, receiver, sender, uid))


def audit_access_rows(model: type[Model], *, kind: str,
                      detail: Callable[[Any], dict[str, Any]] = lambda row: {},
                      case_of: Callable[[Any], Case | None] = lambda row: None) -> None:
    """Audit every row of ``model`` (one that has a ``user``) created or deleted, whatever made
    it: a grant when it appears, a revocation when it goes. Each app calls this from ``ready``
    for its own rows (memberships and care teams here, attendance in meetings, grants in
    integrations)."""

    def saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
        if created:
            audit_access_change(granted=True, kind=kind, user_id=instance.user_id,
                                case=case_of(instance), **detail(instance))

    def deleted(sender: type, instance: Any, **kwargs: Any) -> None:
        audit_access_change(granted=False, kind=kind, user_id=instance.user_id,
                            case=case_of(instance), **detail(instance))

    _connect(post_save, saved, model, f"access-audit-{kind}-saved")
    _connect(post_delete, deleted, model, f"access-audit-{kind}-deleted")


def _case_of(row: Any) -> Case | None:
    # On a deletion cascading from the case, the case is gone already.
    return Case.objects.filter(pk=row.case_id).first()


def connect_receivers() -> None:
    audit_access_rows(TeamMembership, kind="team_membership",
                      detail=lambda row: {"team": row.team_id})
    audit_access_rows(CareTeamMember, kind="care_team", case_of=_case_of,
                      detail=lambda row: {"reason": row.reason})
    _connect(m2m_changed, _oncologists_changed, Case.oncologists.through,
             "cases-access-oncologists-changed")
