"""Case pages. Thin: every page starts from the visibility selector (an outsider gets 404), calls
one service for a write, and shows the service's errors on the form (nothing saved)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_POST

from tumorboard.errors import Conflict
from tumorboard.labels import label
from tumorboard.models import User
from tumorboard.paging import CappedPaginator
from tumorboard.roles import Role
from tumorboard.views import role_required

from . import access, audit, diagrams, outcome_charts, selectors, services
from .filters import CaseFilter
from .followups import current_status
from .forms import (
    CaseForm,
    FollowUpForm,
    ImagingForm,
    LesionForm,
    PatientForm,
    SpecialistAddForm,
    SurgeryForm,
    TransitionForm,
    apply_errors,
)
from .models import Case, DutyTick, PhaseEvent, SpinalLesion, SurgeryRecord
from .summary import case_summary
from .systemic import systemic_picture
from .timeline import Phase

_Row = TypeVar("_Row")  # what a queryset of cases yields (a Case, or a list row)


#: Everyone with a clinical place in a care team; the administrator sees no patient data.
CASE_ROLES = (Role.BREAST_ONCOSURGEON, Role.NEUROSURGEON, Role.COORDINATOR,
              Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST)
OPENING_ROLES = services.CASE_OPENING_ROLES
PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _changeable_case(request: HttpRequest, case_id: int) -> Case:
    """A visible case (else 404) that the person may change (else 403)."""
    case = selectors.case_get_visible(user=_actor(request), case_id=case_id, record=False)
    if not access.case_can_change(user=_actor(request), case=case):
        raise PermissionDenied("your role on this case does not allow changes")
    return case


def _save(form: Any, write: Callable[[], Any]) -> Any:
    """Run a service; on its ValidationError (or a conflict: a double submit that lost the race)
    put the errors on the form and return None."""
    try:
        return write()
    except ValidationError as error:
        apply_errors(form, error)
        return None
    except Conflict as error:
        form.add_error(None, str(error))
        return None


# --- lists --------------------------------------------------------------------------------------


def case_rows(request: HttpRequest, *, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """The case list of the person, filtered and paginated; also used by the home pages (a
    shorter page: the home shows the most recent, the case list all of them)."""
    actor = _actor(request)
    query = request.GET.get("q", "").strip()[:100]
    cases = search(selectors.case_list_for_display(user=actor), query)
    filters = CaseFilter(request.GET or None, queryset=cases)
    keep = request.GET.copy()
    keep.pop("page", None)
    context = {"filters": filters, "query": query, "keep": keep.urlencode()}
    if filters.is_bound and not filters.is_valid():
        return {**context, "page": None, "rows": []}
    page = CappedPaginator(filters.qs, page_size).get_page(request.GET.get("page"))
    rows = selectors.case_next_steps(page.object_list, actor.role)
    audit.record_list_read(actor=actor, case_ids=[case.pk for case, _ in rows])
    # A registered patient whose case is not open yet is found too (by MRN or name).
    waiting = selectors.patients_without_case(user=actor, query=query)
    return {**context, "page": page, "rows": rows, "patients_without_case": waiting}


def search(cases: QuerySet[Case, _Row], query: str) -> QuerySet[Case, _Row]:
    """Narrow the person's own cases (already the visible ones) by MRN or name: every word of
    ``query`` must start an MRN or appear in the given or family name."""
    for word in query.split():
        cases = cases.filter(Q(patient__mrn__istartswith=word)
                             | Q(patient__family_name__icontains=word)
                             | Q(patient__given_name__icontains=word))
    return cases


@role_required(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    context = case_rows(request)
    context["can_open"] = _actor(request).role in OPENING_ROLES
    return render(request, "cases/case_list.html", context)


# --- the case page ------------------------------------------------------------------------------


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_visible(user=actor, case_id=case_id)
    detail = selectors.case_detail(case=case)
    can_change = access.case_can_change(user=actor, case=case)
    specialists = services.case_specialists(case)
    return render(request, "cases/case_detail.html", {
        "case": case, "detail": detail,
        "timeline_boxes": diagrams.timeline_diagram([stay.event for stay in detail.stays],
                                                    case.phase),
        "timeline_width": diagrams.TIMELINE_VIEWBOX_WIDTH,
        "spine": diagrams.spine_diagram(detail.lesions, subtype=case.subtype),
        "can_change": can_change,
        "specialty": selectors.user_specialty(actor),
        "is_preop": case.phase == Phase.PRE_OPERATIVE,
        "trends": selectors.outcome_trend(detail.followups),
        "outcome_charts": outcome_charts.trend_charts(detail.followups),
        "chart": {"width": outcome_charts.CHART_WIDTH, "height": outcome_charts.CHART_HEIGHT,
                  "left": outcome_charts.PLOT_LEFT,
                  "right": outcome_charts.CHART_WIDTH - outcome_charts.PLOT_RIGHT,
                  "top": outcome_charts.PLOT_TOP,
                  "bottom": outcome_charts.CHART_HEIGHT - outcome_charts.PLOT_BOTTOM},
        "summary": case_summary(case),
        "current_status": current_status(case, detail.followups),
        "specialists": specialists[0],
        # The operation: shown from surgery on (one query only then: the page's query budget).
        "surgeries": (list(SurgeryRecord.objects.filter(case=case).select_related("recorded_by"))
                      if case.phase in (*services.SURGERY_PHASES, Phase.SURVEILLANCE) else []),
        "can_record_surgery": (can_change and actor.role == Role.NEUROSURGEON
                               and case.phase in services.SURGERY_PHASES),
        "specialists_available": specialists[1] if can_change else [],
        "systemic": systemic_picture(case, events=[stay.event for stay in detail.stays]),
    })  # fmt: skip


@login_required
def case_as_of(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case as it was at a date and time (``?at=2026-03-01T09:00`` or a date: end of day)."""
    case = selectors.case_get_visible(user=_actor(request), case_id=case_id, record=False)
    raw = request.GET.get("at", "")
    at = _parse_at(raw) if raw else timezone.now()
    error = "" if at is not None else "Give a date (YYYY-MM-DD) or a date and time."
    snapshot = selectors.case_as_of(case=case, at=at) if at is not None else None
    audit.record_case_read(actor=_actor(request), case=case, what="case_history")
    # A refused value is not shown back (an error page never echoes its input): a 400.
    return render(request, "cases/case_as_of.html", {
        "case": case, "snapshot": snapshot, "at": at, "raw": raw if at else "", "error": error,
    }, status=200 if at is not None else 400)  # fmt: skip


def _parse_at(raw: str) -> datetime | None:
    """An aware datetime in UTC, or None for anything else: an impossible date (2026-02-30),
    an offset PostgreSQL refuses, a time that leaves the calendar once shifted to UTC."""
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                return None
            value = datetime.combine(day, time.max)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# --- writes -------------------------------------------------------------------------------------


@role_required(*OPENING_ROLES)
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        patient = None
        try:
            patient = services.patient_create(actor=_actor(request), **form.cleaned_data)
        except services.MrnTaken as taken:
            # The patient is offered only to whom may see them (cases.access); anyone else
            # learns that the MRN is taken, as before, and whom to ask.
            existing = selectors.patient_offer(user=_actor(request), patient_id=taken.patient_id)
            form.add_error("mrn", "This MRN is already registered: open a case for the patient "
                                  "below." if existing else
                                  "This MRN is already registered, with a care team you are not "
                                  "part of: ask the MDT coordinator to add you to it.")
        except ValidationError as error:
            apply_errors(form, error)
        if patient is not None:
            messages.success(request, f"Patient #{patient.pk} registered: now open the case.")
            return redirect("cases:case-create", patient_id=patient.pk)
    return render(request, "cases/patient_form.html", {"form": form, "existing": existing})


@role_required(*OPENING_ROLES)
def case_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_visible(user=_actor(request), patient_id=patient_id)
    form = CaseForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        oncologists = list(data.pop("oncologists"))
        case = _save(form, lambda: services.case_create(
            patient=patient, actor=_actor(request), oncologists=oncologists, **data))
        if case is not None:
            messages.success(request, f"Case #{case.pk} opened.")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "patient": patient})


@login_required
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = CaseForm(request.POST or None, instance=case, creating=False,
                    initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data
                if name not in ("version", "oncologists")}
        oncologists = (list(form.cleaned_data["oncologists"])
                       if "oncologists" in form.changed_data else None)
        case.refresh_from_db()  # the form wrote into the instance; the service reads it afresh
        try:
            services.case_update(case=case, actor=_actor(request), oncologists=oncologists,
                                 expected_version=form.cleaned_data.get("version"), **data)
        except services.VersionConflict:
            form.add_error(None, "Someone changed this case while you edited it: reload the "
                                 "page and make your change again.")
        except Conflict as error:  # e.g. a team that an open referral involves
            form.add_error(getattr(error, "field", None), str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Case updated.")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case,
                                                    "patient": case.patient})


@login_required
def lesion_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = LesionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        before = _open_referral_ids(case)
        lesion = _save(form, lambda: services.lesion_create(case=case, actor=_actor(request),
                                                            **data))
        if lesion is not None:
            messages.success(request, f"Lesion {lesion.label} added." + _raised_text(case, before))
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/lesion_form.html", {"form": form, "case": case})


def _open_referrals(case: Case) -> list[Any]:
    """The case's open referrals, as the referrals app reports them on the case status."""
    return selectors.case_status_part("referrals", case).open_referrals


def _open_referral_ids(case: Case) -> set[int]:
    return {int(str(r["id"])) for r in _open_referrals(case)}


def _raised_text(case: Case, before: set[int]) -> str:
    """" Referral 3 raised to the spine team (orange): ..." when the write just raised one (the
    CLINICAL.md §8 triggers fire inside the lesion's transaction): the clinician sees it did."""
    parts = []
    for row in _open_referrals(case):
        if int(str(row["id"])) in before:
            continue
        team = "spine" if row["direction"] == "breast_to_neuro" else "breast"
        triggers = ", ".join(label(code, "trigger") for code in row["triggers"])
        parts.append(f" Referral {row['id']} raised to the {team} team "
                     f"({row['urgency'] or 'no urgency'}): {triggers}.")
    return "".join(parts)


@login_required
def imaging_create(request: HttpRequest, case_id: int, lesion_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    lesion = get_object_or_404(SpinalLesion, case=case, pk=lesion_id)
    form = ImagingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        before = _open_referral_ids(case)
        study = _save(form, lambda: services.lesion_imaging_add(
            lesion=lesion, actor=_actor(request), **form.cleaned_data))
        if study is not None:
            messages.success(request,
                             f"Study of {lesion.label} added." + _raised_text(case, before))
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/lesion_form.html", {"form": form, "case": case,
                                                      "lesion": lesion})


@login_required
def assessment_create(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET shows what will be scored; POST runs the calculators and keeps the run."""
    case = _changeable_case(request, case_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.assessment_create(case=case, actor=_actor(request))
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, "Assessment stored.")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/assessment_form.html", {"case": case, "errors": errors},
                  status=400 if errors else 200)


@login_required
def transition_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = TransitionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transition(case=case, actor=_actor(request), **form.cleaned_data)
        except services.PhaseMoveForbidden:
            form.add_error("to_phase", "The case moved meanwhile: this move is no longer "
                                       "allowed.")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Phase changed.")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "cases/transition_form.html", {"form": form, "case": case})


@require_POST
@login_required
def duty_tick(request: HttpRequest, case_id: int, event_id: int, duty_code: str) -> HttpResponse:
    case = _changeable_case(request, case_id)
    event = get_object_or_404(PhaseEvent, case=case, pk=event_id)
    try:
        services.duty_tick(case=case, event=event, duty_code=duty_code, actor=_actor(request),
                           note=request.POST.get("note", "")[:500])
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect(f"{case_url(case)}#timeline")


@require_POST
@login_required
def duty_untick(request: HttpRequest, case_id: int, tick_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    tick = get_object_or_404(DutyTick, case=case, pk=tick_id)
    try:
        services.duty_untick(case=case, tick=tick, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect(f"{case_url(case)}#timeline")


@login_required
def followup_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        visit = _save(form, lambda: services.followup_create(case=case, actor=_actor(request),
                                                             **form.cleaned_data))
        if visit is not None:
            messages.success(request, "Follow-up visit recorded.")
            return redirect(f"{case_url(case)}#outcomes")
    return render(request, "cases/followup_form.html", {"form": form, "case": case})


@login_required
def surgery_create(request: HttpRequest, case_id: int) -> HttpResponse:
    """The neurosurgeon records the operation (issue 19)."""
    case = _changeable_case(request, case_id)
    form = SurgeryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = _save(form, lambda: services.surgery_record(case=case, actor=_actor(request),
                                                             **form.cleaned_data))
        if record is not None:
            messages.success(request, "Operation recorded.")
            return redirect(f"{case_url(case)}#surgery")
    return render(request, "cases/surgery_form.html", {"form": form, "case": case})


@require_POST
@login_required
def specialist_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a palliative care physician or a physiotherapist to the care team (issue 19)."""
    case = _changeable_case(request, case_id)
    form = SpecialistAddForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, "Not added: " + "; ".join(
            str(error) for errors in form.errors.values() for error in errors))
    else:
        try:
            services.specialist_add(case=case, user=form.cleaned_data["user"],
                                    actor=_actor(request))
        except ValidationError as error:
            messages.error(request, "Not added: " + "; ".join(error.messages))
        else:
            messages.success(request, f"{form.cleaned_data['user'].display_name} joined the "
                                      "care team.")
    return redirect(f"{case_url(case)}#care-team")


def case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:case-detail", args=[case.pk])
