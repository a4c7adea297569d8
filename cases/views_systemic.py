"""Pages that record systemic therapy episodes, holds and laboratory values (CLINICAL.md §16).
Thin: a visible case the person may change, one service call, errors on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tumorboard.roles import Role

from . import services
from .forms import (
    EpisodeForm,
    EpisodeStopForm,
    HoldEndForm,
    HoldForm,
    LabForm,
    RadiotherapyPlanForm,
)
from .models import Case, RadiotherapyPlan, SystemicTherapyEpisode, TherapyHold
from .views import _actor, _changeable_case, _save, case_url


def _require_radiation_oncologist(request: HttpRequest) -> None:
    if _actor(request).role != Role.RADIATION_ONCOLOGIST:
        raise PermissionDenied("a radiotherapy plan is recorded by a radiation oncologist")


def _page(
    request: HttpRequest, case: Case, form: BaseForm, title: str, **extra: Any
) -> HttpResponse:
    return render(
        request, "cases/systemic_form.html", {"form": form, "case": case, "title": title, **extra}
    )


def _handle(
    request: HttpRequest,
    case: Case,
    form: BaseForm,
    write: Callable[[], Any],
    done: str,
    title: str,
    **extra: Any,
) -> HttpResponse:
    """The form on GET or with its errors; on a successful write, back to the case."""
    if request.method == "POST" and form.is_valid() and _save(form, write) is not None:
        messages.success(request, done)
        return redirect(f"{case_url(case)}#systemic")
    return _page(request, case, form, title, **extra)


@login_required
def episode_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = EpisodeForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.episode_create(case=case, actor=_actor(request), **form.cleaned_data),
        "Systemic therapy episode recorded.",
        "Record a systemic therapy episode",
    )


@login_required
def episode_stop(request: HttpRequest, case_id: int, episode_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    episode = get_object_or_404(SystemicTherapyEpisode, case=case, pk=episode_id)
    form = EpisodeStopForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.episode_stop(
            case=case, episode=episode, actor=_actor(request), **form.cleaned_data
        ),
        f"{episode.drug} stopped.",
        f"Stop {episode.drug}",
        episode=episode,
    )


@login_required
def hold_create(request: HttpRequest, case_id: int, episode_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    episode = get_object_or_404(SystemicTherapyEpisode, case=case, pk=episode_id)
    form = HoldForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.hold_create(
            case=case, episode=episode, actor=_actor(request), **form.cleaned_data
        ),
        f"Hold of {episode.drug} recorded.",
        f"Hold {episode.drug}",
        episode=episode,
    )


@login_required
def hold_end(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    hold = get_object_or_404(
        TherapyHold.objects.select_related("episode"), episode__case=case, pk=hold_id
    )
    form = HoldEndForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.hold_end(case=case, hold=hold, actor=_actor(request), **form.cleaned_data),
        f"Hold of {hold.episode.drug} ended.",
        f"End the hold of {hold.episode.drug}",
        episode=hold.episode,
    )


@login_required
def lab_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    form = LabForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.lab_create(case=case, actor=_actor(request), **form.cleaned_data),
        "Laboratory value recorded.",
        "Record a laboratory value",
    )


@login_required
def plan_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    _require_radiation_oncologist(request)
    form = RadiotherapyPlanForm(request.POST or None)
    return _handle(
        request,
        case,
        form,
        lambda: services.radiotherapy_plan_create(
            case=case, actor=_actor(request), **form.cleaned_data
        ),
        "Radiotherapy plan recorded.",
        "Plan radiotherapy",
    )


@login_required
def plan_edit(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    case = _changeable_case(request, case_id)
    _require_radiation_oncologist(request)
    plan = get_object_or_404(RadiotherapyPlan, case=case, pk=plan_id)
    form = RadiotherapyPlanForm(request.POST or None, instance=plan)
    return _handle(
        request,
        case,
        form,
        lambda: services.radiotherapy_plan_update(
            case=case, plan=RadiotherapyPlan.objects.get(pk=plan.pk), actor=_actor(request),
            **form.cleaned_data
        ),
        "Radiotherapy plan updated.",
        "Radiotherapy plan",
    )
