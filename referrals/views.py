"""Referral pages. Thin: every page starts from the visibility selectors (an outsider gets 404),
calls one service for a write, and shows its refusal as a message (nothing changed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import audit
from cases.selectors import case_get_visible
from scoring.calculators import ReferralDirection
from tumorboard.labels import label
from tumorboard.models import User
from tumorboard.paging import CappedPaginator
from tumorboard.roles import CARE_ROLES, Role
from tumorboard.views import role_required

from . import metrics as referral_metrics
from . import selectors, services, workup_rules
from .forms import (
    FlagTriggerForm,
    RadiotherapyReferralForm,
    ReferralActionForm,
    WorkupExcludeForm,
    WorkupResultForm,
)
from .states import PERSON_ACTIONS, Action, IllegalMove

#: The text each move takes on the page, and the service keyword it goes to.
ACTION_TEXT = {Action.DECLINE: "reason", Action.REQUEST_INFO: "question",
               Action.ANSWER: "answer", Action.ACCEPT: "note", Action.CLOSE: "note",
               Action.CANCEL: "reason"}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


#: Rows per page of the triage queue and of the outgoing list: the most urgent come first, and
#: a page of 50 renders in constant time whatever the size of the queue (bench/RESULTS.md item 2).
QUEUE_PAGE_SIZE = 50


def referral_rows(request: HttpRequest, *, incoming_page: int | str | None = 1,
                  outgoing_page: int | str | None = 1,
                  page_size: int | None = None) -> dict[str, Any]:
    """One page of the triage queue (incoming) and one of the outgoing referrals of the user's
    teams, with the allowed actions of each row, in a constant number of queries.

    The home pages show the first rows (``page_size``); the referral list passes the page
    numbers asked for
    (``Paginator.get_page``: a bad or out-of-range number gives the first or last page)."""
    user = _actor(request)
    page_size = page_size or QUEUE_PAGE_SIZE
    incoming = CappedPaginator(selectors.triage_queue(user=user),
                               page_size).get_page(incoming_page)
    outgoing = CappedPaginator(selectors.outgoing_referrals(user=user),
                               page_size).get_page(outgoing_page)
    shown = [*incoming, *outgoing]
    team_ids = selectors.row_team_ids(shown)
    for referral in shown:
        referral.actions = selectors.allowed_actions(
            referral, user=user, team_ids=team_ids)
    audit.record_list_read(actor=user, case_ids=sorted({r.case_id for r in shown}),
                           what="referral_list")
    return {"incoming": incoming, "outgoing": outgoing, "now": timezone.now()}


@role_required(*CARE_ROLES)
def referral_list(request: HttpRequest) -> HttpResponse:
    """The whole triage queue and outgoing list, a page of each (``?page=``, ``?sent=``)."""
    context = referral_rows(request, incoming_page=request.GET.get("page"),
                            outgoing_page=request.GET.get("sent"))
    return render(request, "referrals/referral_list.html", context)


@role_required(*CARE_ROLES)
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _actor(request)
    referral = selectors.referral_get_visible(user=user, referral_id=referral_id)
    allowed = selectors.allowed_actions(referral, user=user,
                                        team_ids=selectors.user_team_ids(user))
    audit.record(actor=user, action="view", object_type="referral", object_id=referral.pk,
                 case=referral.case)
    previous = (selectors.last_decline(case_id=referral.case_id, direction=referral.direction,
                                       before_id=referral.pk)
                if referral.status != referral.Status.DECLINED else None)
    return render(request, "referrals/referral_detail.html", {
        "referral": referral, "allowed": allowed, "form": ReferralActionForm(),
        "previous_decline": previous,
        "action_text": {a.value: field for a, field in ACTION_TEXT.items()},
        "workup_verdict": (services.workup_verdict(referral)
                           if referral.direction == "neuro_to_breast" else None),
        "exclude_form": WorkupExcludeForm(),
        "workup_party": bool(services.referral_party(referral=referral, user=user)),
    })


@require_POST
@role_required(*CARE_ROLES)
def referral_act(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    user = _actor(request)
    referral = selectors.referral_get_visible(user=user, referral_id=referral_id)
    if action not in {a.value for a in PERSON_ACTIONS}:
        raise Http404("No such action.")
    move = Action(action)
    form = ReferralActionForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    kwargs = {ACTION_TEXT[move]: text} if move in ACTION_TEXT else {}
    try:
        services.ACTION_SERVICES[move](referral=referral, actor=user, **kwargs)
    except IllegalMove as error:
        allowed = ", ".join(label(a, "referral_action").lower() for a in error.allowed)
        messages.error(request, f"Not done: {error}. Allowed now: {allowed or 'nothing'}.")
    except ValidationError as error:
        messages.error(request, "Not done: " + "; ".join(error.messages))
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    else:
        messages.success(request, f"Referral {referral.pk}: {move.value.replace('_', ' ')} done.")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):  # local pages only
        return redirect(target)
    return redirect("referrals:referral-detail", referral_id=referral.pk)


@require_POST
@role_required(*CARE_ROLES)
def workup_tick(request: HttpRequest, referral_id: int, item_code: str) -> HttpResponse:
    user = _actor(request)
    referral = selectors.referral_get_visible(user=user, referral_id=referral_id)
    try:
        services.workup_item_tick(referral=referral, code=item_code, actor=user)
    except ValidationError as error:
        messages.error(request, "Not done: " + "; ".join(error.messages))
    return redirect("referrals:referral-detail", referral_id=referral.pk)


def _errors_to_form(form: Any, error: ValidationError) -> None:
    """A service's refusal, keyed by field, on the form's fields (others: the form's own)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, reasons in error.message_dict.items():
        form.add_error(field if field in form.fields else None, reasons)


@role_required(*CARE_ROLES)
def workup_result(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Record one result of the occult-primary work-up (CLINICAL.md §17)."""
    user = _actor(request)
    referral = selectors.referral_get_visible(user=user, referral_id=referral_id)
    if referral.direction != ReferralDirection.NEURO_TO_BREAST:
        raise Http404("This referral has no occult-primary work-up.")
    if not services.referral_party(referral=referral, user=user):
        raise PermissionDenied("only the referring or receiving team records work-up results")
    form = WorkupResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.workup_result_record(referral=referral, actor=user,
                                                   **form.service_fields())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            verdict = workup_rules.confirmation(referral.workup_results.order_by("taken_on", "pk"))
            messages.success(request, f"Result recorded ({result.get_kind_display().lower()}). "
                                      f"{verdict.text}")
            return redirect(f"{referral_path(referral.pk)}#workup")
    return render(request, "referrals/workup_result_form.html",
                  {"referral": referral, "form": form})


@require_POST
@role_required(*CARE_ROLES)
def workup_exclude(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Close the work-up as excluding the breast, with the reason (§17)."""
    user = _actor(request)
    referral = selectors.referral_get_visible(user=user, referral_id=referral_id)
    form = WorkupExcludeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": form.errors["reason"]})
        services.workup_exclude(referral=referral, actor=user,
                                reason=form.cleaned_data["reason"])
    except IllegalMove as error:
        messages.error(request, f"Not done: {error}.")
    except ValidationError as error:
        messages.error(request, "Not done: " + "; ".join(error.messages))
    else:
        messages.success(request, f"Referral {referral.pk}: the work-up excludes the breast; "
                                  "closed.")
    return redirect(f"{referral_path(referral.pk)}#workup")


def referral_path(referral_id: int) -> str:
    return reverse("referrals:referral-detail", args=[referral_id])


@role_required(Role.BREAST_ONCOSURGEON)
def flag_trigger(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _actor(request)
    case = case_get_visible(user=user, case_id=case_id, record=request.method == "GET")
    # ?trigger=<code> pre-ticks triggers (the link of a CDS Hooks card, issue 21): codes only.
    form = FlagTriggerForm(request.POST or None,
                           initial={"trigger_codes": request.GET.getlist("trigger")})
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_flag(case=case, codes=form.cleaned_data["trigger_codes"],
                                              actor=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for field, reasons in error.message_dict.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            messages.success(request, f"Referral {referral.pk} raised to the spine team.")
            return redirect("referrals:referral-detail", referral_id=referral.pk)
    return render(request, "referrals/flag_form.html", {
        "case": case, "form": form, "last_decline": selectors.last_decline(case_id=case.pk)})


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    # In the application an alert names the patient and the outcome (the alerts are the user's
    # own, of cases they still see: selectors.alert_list_for); the e-mail keeps ids only.
    alerts = list(selectors.alert_list_for(user=_actor(request))
                  .select_related("referral__case__patient", "case__patient")
                  .order_by("-created_at", "-pk")[:100])
    return render(request, "referrals/alert_list.html", {"alerts": alerts})


@require_GET
@login_required
def alert_bell(request: HttpRequest) -> JsonResponse:
    """The bell's number, asked for by every page once it has loaded (static/js/app.js): a page
    no longer waits for it (9-14 ms of every page; bench/RESULTS.md, issue 22). ``unread`` is
    capped (``selectors.BELL_CAP``); ``words`` is what the bell shows, "" for none."""
    unread = selectors.alert_unread_count(user=_actor(request))
    return JsonResponse({"unread": unread, "words": selectors.bell_words(unread) if unread else ""})


@require_POST
@login_required
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_visible(user=_actor(request), alert_id=alert_id)
    services.alert_acknowledge(alert=alert, actor=_actor(request))
    return redirect("referrals:referral-detail", referral_id=alert.referral_id)


@role_required(*CARE_ROLES)
def metrics(request: HttpRequest) -> HttpResponse:
    rows = referral_metrics.team_metrics(user=_actor(request))
    return render(request, "referrals/metrics.html", {"rows": rows})


@role_required(Role.NEUROSURGEON, Role.BREAST_ONCOSURGEON, Role.MEDICAL_ONCOLOGIST)
def radiotherapy_refer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refer a case to radiation oncology (after separation surgery; CLINICAL.md §15-§16)."""
    user = _actor(request)
    case = case_get_visible(user=user, case_id=case_id, record=request.method == "GET")
    form = RadiotherapyReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.radiotherapy_referral_raise(case=case, actor=user,
                                                            **form.cleaned_data)
        except ValidationError as error:
            for field, reasons in error.message_dict.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            messages.success(request, f"Referral {referral.pk} sent to radiation oncology.")
            return redirect("referrals:referral-detail", referral_id=referral.pk)
    return render(request, "referrals/radiotherapy_form.html", {"case": case, "form": form})
