"""Reads and searches of the FHIR server. Every row starts from the one visibility rule
(``cases.access.visible_case_condition`` / ``case_list_visible_to``), so an integration client
sees only its granted teams' cases and a clinician only their care teams'. Outside that, ``Http404``
(never 403). Each read or search page is one audit row and a constant number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest, Lower
from django.http import Http404

from cases import audit
from cases.access import case_list_visible_to, visible_case_condition
from cases.models import Assessment, AuditAction, Case, SpinalLesion
from cases.selectors import case_get_visible, patient_get_visible, patient_list_visible_to
from followthrough.models import FollowThroughTask
from meetings.models import Decision
from referrals.models import Referral
from tumorboard.lookups import as_id, one_by_pk
from tumorboard.models import User

from . import codes, oncology, resources
from .search import Search, date_q, id_q, reference_ids, reference_q, token

Page = tuple[int, list[dict[str, Any]]]  # (total matches, the page's resources)


def _pk(value: object) -> int:
    pk = as_id(value)
    if pk is None or not 0 < pk < 10**18:
        raise Http404("not found")
    return pk


def _exported(actor: User, case: Case, kind: str, pk: int) -> None:
    audit.record(actor=actor, action=AuditAction.EXPORT, case=case, object_type=f"fhir_{kind}",
                 object_id=pk, detail={"format": "fhir-r4"})


def _searched(actor: User, kind: str, case_ids: set[int], total: int) -> None:
    audit.record(actor=actor, action=AuditAction.EXPORT, object_type=f"fhir_{kind.lower()}_search",
                 case_ids=sorted(case_ids), detail={"format": "fhir-r4", "total": total})


def _referrals(user: User) -> QuerySet[Referral]:
    return (Referral.objects.filter(visible_case_condition(user=user, case_ref="case_id"))
            .select_related("case", "sender", "receiving_team"))


def _decisions(user: User | None = None) -> QuerySet[Decision]:
    rows = Decision.objects.select_related("item__meeting", "item__case", "responsible",
                                           "decided_by")
    if user is not None:
        rows = rows.filter(visible_case_condition(user=user, case_ref="item__case_id"))
    return rows


def _assessments(user: User) -> QuerySet[Assessment]:
    return (Assessment.objects.filter(visible_case_condition(user=user, case_ref="case_id"))
            .select_related("case", "created_by"))


def _cases(user: User) -> QuerySet[Case]:
    return case_list_visible_to(user=user).prefetch_related(
        Prefetch("lesions", queryset=SpinalLesion.objects.order_by("pk")))


# --- reads -------------------------------------------------------------------------------------

def patient(*, user: User, pk: object) -> dict[str, Any]:
    row = patient_get_visible(user=user, patient_id=_pk(pk))
    audit.record(actor=user, action=AuditAction.EXPORT, obj=row, object_type="fhir_patient",
                 detail={"format": "fhir-r4"})
    return resources.patient(row)


def _referral(user: User, pk: object) -> Referral:
    row = one_by_pk(_referrals(user), _pk(pk))
    if row is None:
        raise Http404("No such referral.")
    return row


def service_request(*, user: User, pk: object) -> dict[str, Any]:
    row = _referral(user, pk)
    _exported(user, row.case, "servicerequest", row.pk)
    return resources.service_request(row, case=row.case)


def task(*, user: User, pk: object) -> dict[str, Any]:
    row = _referral(user, pk)
    _exported(user, row.case, "task", row.pk)
    return resources.task(row, case=row.case)


def _follow_through(user: User) -> QuerySet[FollowThroughTask]:
    return (FollowThroughTask.objects
            .filter(visible_case_condition(user=user, case_ref="case_id"))
            .select_related("case", "owner"))


def any_task(*, user: User, pk: str) -> dict[str, Any]:
    """``Task/<referral id>``: a referral's triage; ``Task/ft-<id>``: a follow-through task."""
    prefix = resources.FOLLOW_THROUGH_PREFIX
    if str(pk).startswith(prefix):
        return follow_through_task(user=user, pk=str(pk)[len(prefix):])
    if not str(pk).isdigit():
        raise Http404("No such task.")
    return task(user=user, pk=pk)


def follow_through_task(*, user: User, pk: object) -> dict[str, Any]:
    """A follow-through task of an MDT decision (CLINICAL.md §15), by its row id."""
    row = one_by_pk(_follow_through(user), _pk(pk))
    if row is None:
        raise Http404("No such task.")
    _exported(user, row.case, "task", row.pk)
    return resources.follow_through_task(row, case=row.case)


def care_plan(*, user: User, pk: object) -> dict[str, Any]:
    row = one_by_pk(_decisions(user), _pk(pk))
    if row is None:
        raise Http404("No such decision.")
    _exported(user, row.item.case, "careplan", row.pk)
    return resources.care_plan(row, case=row.item.case)


def observation(*, user: User, pk: str) -> dict[str, Any]:
    """``<assessment id>`` is the assessment's panel; ``<kind>[-<n>]-<assessment id>`` one of
    its scores, markers or performance statuses (oncology.assessment_observations)."""
    row = one_by_pk(_assessments(user), _pk(str(pk).rsplit("-", 1)[-1]))
    found = [] if row is None else [
        res for res in oncology.assessment_observations(row, row.case) if res["id"] == pk]
    if row is None or not found:
        raise Http404("No such observation.")
    _exported(user, row.case, "observation", row.pk)
    return found[0]


def condition(*, user: User, pk: str) -> dict[str, Any]:
    case = one_by_pk(_cases(user), _pk(str(pk).rsplit("-", 1)[-1]))
    found = [] if case is None else [
        res for res in oncology.conditions(case, case.lesions.all()) if res["id"] == pk]
    if case is None or not found:
        raise Http404("No such condition.")
    _exported(user, case, "condition", case.pk)
    return found[0]


def case_bundle(*, user: User, case_id: object, base_url: str) -> dict[str, Any]:
    """The case's Patient, cancer conditions, referrals (ServiceRequest and Task), assessments
    (every Observation of each) and MDT decisions (CarePlan) in one Bundle; a constant number of
    queries."""
    case = case_get_visible(user=user, case_id=case_id, record=False)
    referrals = list(case.referrals.select_related("sender", "receiving_team").order_by("pk"))
    assessments = list(case.assessments.select_related("created_by").order_by("pk"))
    decisions = list(_decisions().filter(item__case=case).order_by("pk"))
    tasks = list(FollowThroughTask.objects.filter(case=case).select_related("owner")
                 .order_by("pk"))
    found = [resources.patient(case.patient),
             *oncology.conditions(case, case.lesions.order_by("pk"))]
    for referral in referrals:
        found += [resources.service_request(referral, case=case),
                  resources.task(referral, case=case)]
    found += [res for row in assessments for res in oncology.assessment_observations(row, case)]
    found += [resources.care_plan(row, case=case) for row in decisions]
    found += [resources.follow_through_task(row, case=case) for row in tasks]
    _exported(user, case, "bundle", case.pk)
    return resources.bundle(case=case, resources=found, base_url=base_url)


# --- searches ----------------------------------------------------------------------------------

def _page(rows: QuerySet[Any], search: Search) -> tuple[int, list[Any]]:
    total = rows.count()
    return total, list(rows.order_by("pk")[search.offset:search.offset + search.count])


def _status_q(search: Search, mapping: dict[Any, str]) -> Q:
    condition = Q()
    for alternatives in search.values("status"):
        wanted = {token(value)[1] for value in alternatives}
        condition &= Q(status__in=[ours for ours, theirs in mapping.items() if theirs in wanted])
    return condition


def search_patients(*, user: User, search: Search) -> Page:
    rows = patient_list_visible_to(user=user).select_related("institution").filter(
        id_q(search), date_q("_lastUpdated", search, "updated_at"))
    prefix = codes.mrn_system("")
    for alternatives in search.values("identifier"):
        any_of = Q(pk__in=[])
        for value in alternatives:
            system, mrn = token(value)
            # The exact MRN, found through the case-insensitive unique index (lower(mrn)).
            if system is None:
                any_of |= Q(mrn_key=mrn.lower(), mrn=mrn)
            elif system.startswith(prefix) and system != prefix:
                any_of |= Q(mrn_key=mrn.lower(), mrn=mrn,
                            institution__code=system[len(prefix):])
        rows = rows.alias(mrn_key=Lower("mrn")).filter(any_of)
    total, page = _page(rows, search)
    _searched(user, "Patient", set(), total)
    return total, [resources.patient(row) for row in page]


def _owner_qs(search: Search) -> tuple[Q, Q]:
    """``owner``: a referral's Task is owned by a team (``CareTeam/<id>`` or a bare id), a
    follow-through Task by a clinician (``Practitioner/<id>``). Each occurrence ANDed, the
    values of one ORed; a value of the other kind matches nothing of this one."""
    teams_q, people_q = Q(), Q()
    for alternatives in search.values("owner"):
        teams, people = [], []
        for value in alternatives:
            if value.rstrip("/").rsplit("/", 2)[-2:-1] == ["Practitioner"]:
                people += reference_ids("owner", [value], "Practitioner")
            else:
                teams += reference_ids("owner", [value], "CareTeam")
        teams_q &= Q(receiving_team_id__in=teams)
        people_q &= Q(owner_id__in=people)
    return teams_q, people_q


def _follow_through_ids_q(search: Search) -> Q:
    condition = Q()
    prefix = resources.FOLLOW_THROUGH_PREFIX
    for alternatives in search.values("_id"):
        ids = [as_id(v[len(prefix):]) for v in alternatives
               if v.startswith(prefix) and v[len(prefix):].isdigit()]
        condition &= Q(pk__in=[i for i in ids if i is not None and i < 10**18])
    return condition


def search_referrals(*, user: User, search: Search, as_task: bool) -> Page:
    rows = _referrals(user).filter(
        id_q(search), reference_q("patient", search, "case__patient_id"),
        date_q("_lastUpdated", search, "updated_at"),
        _status_q(search, resources.TASK_STATUS if as_task
                  else resources.SERVICE_REQUEST_STATUS))
    if as_task:
        return search_tasks(user=user, search=search, referrals=rows)
    total, page = _page(rows, search)
    _searched(user, "ServiceRequest", {r.case_id for r in page}, total)
    return total, [resources.service_request(row, case=row.case) for row in page]


def search_tasks(*, user: User, search: Search, referrals: QuerySet[Referral]) -> Page:
    """Both kinds of Task: the triage of each referral (id: the referral's), then the
    follow-through tasks of MDT decisions (id ``ft-<id>``), one sequence for the paging; a
    constant number of queries."""
    teams_q, people_q = _owner_qs(search)
    referrals = referrals.filter(teams_q)
    tasks = _follow_through(user).filter(
        _follow_through_ids_q(search), people_q,
        reference_q("patient", search, "case__patient_id"),
        date_q("_lastUpdated", search, "updated_at"),
        _status_q(search, resources.FOLLOW_THROUGH_STATUS))
    first_total = referrals.count()
    total = first_total + tasks.count()
    start, end = search.offset, search.offset + search.count
    found = [resources.task(row, case=row.case)
             for row in referrals.order_by("pk")[start:end]] if start < first_total else []
    rest = max(0, end - max(start, first_total))
    if rest:
        skip = max(0, start - first_total)
        found += [resources.follow_through_task(row, case=row.case)
                  for row in tasks.order_by("pk")[skip:skip + rest]]
    case_ids = {as_id(res["for"]["reference"].rsplit("/", 1)[-1]) or 0 for res in found}
    _searched(user, "Task", case_ids, total)
    return total, found


def search_care_plans(*, user: User, search: Search) -> Page:
    rows = _decisions(user).annotate(
        last_updated=Greatest("decided_at", Coalesce("item__meeting__finalized_at",
                                                     "decided_at"))
    ).filter(id_q(search), reference_q("patient", search, "item__case__patient_id"),
             date_q("_lastUpdated", search, "last_updated"))
    total, page = _page(rows, search)
    _searched(user, "CarePlan", {row.item.case_id for row in page}, total)
    return total, [resources.care_plan(row, case=row.item.case) for row in page]


def _in_memory(found: list[dict[str, Any]], search: Search) -> tuple[int, list[dict[str, Any]]]:
    ids = search.values("_id")
    for alternatives in ids:
        found = [res for res in found if res["id"] in alternatives]
    return len(found), found[search.offset:search.offset + search.count]


def _pk_q(search: Search, path: str) -> Q:
    """The row ids named by ``_id`` values of derived resources (``<kind>-<row id>``)."""
    condition = Q()
    for alternatives in search.values("_id"):
        ids = [as_id(value.rsplit("-", 1)[-1]) for value in alternatives
               if value.rsplit("-", 1)[-1].isdigit()]
        condition &= Q(**{f"{path}__in": [i for i in ids if i is not None and i < 10**18]})
    return condition


def search_conditions(*, user: User, search: Search) -> Page:
    """Conditions derive from cases (0 to 2 each): filtered in the database by patient and date,
    paged after they are made."""
    cases = list(_cases(user).filter(
        _pk_q(search, "pk"), reference_q("patient", search, "patient_id"),
        date_q("_lastUpdated", search, "updated_at")).order_by("pk"))
    found = [res for case in cases for res in oncology.conditions(case, case.lesions.all())]
    total, page = _in_memory(found, search)
    _searched(user, "Condition", {as_id(res["id"].rsplit("-", 1)[-1]) or 0 for res in page},
              total)
    return total, page


def _token_matches(search: Search, name: str, concepts: list[dict[str, Any]]) -> bool:
    codings = [coding for concept in concepts for coding in concept.get("coding", [])]
    for alternatives in search.values(name):
        if not any(coding["code"] == code and system in (None, coding["system"])
                   for value in alternatives for system, code in [token(value)]
                   for coding in codings):
            return False
    return True


def search_observations(*, user: User, search: Search) -> Page:
    """Observations derive from assessments (each holds all of its scores): filtered in the
    database by patient, date and id, by code and category once made."""
    rows = list(_assessments(user).filter(
        _pk_q(search, "pk"), reference_q("patient", search, "case__patient_id"),
        date_q("date", search, "evaluated_at")).order_by("pk"))
    found = [res for row in rows for res in oncology.assessment_observations(row, row.case)
             if _token_matches(search, "code", [res["code"]])
             and _token_matches(search, "category", res.get("category", []))]
    total, page = _in_memory(found, search)
    by_id = {str(row.pk): row.case_id for row in rows}
    _searched(user, "Observation",
              {by_id[res["id"].rsplit("-", 1)[-1]] for res in page}, total)
    return total, page


SEARCHES: dict[str, Any] = {
    "Patient": search_patients,
    "Condition": search_conditions,
    "Observation": search_observations,
    "ServiceRequest": lambda **kw: search_referrals(as_task=False, **kw),
    "Task": lambda **kw: search_referrals(as_task=True, **kw),
    "CarePlan": search_care_plans,
}
