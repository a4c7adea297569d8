"""The tasks page (/tasks/: mine, my teams', overdue, the coordinators' queue) and its done and
not-done forms. Thin: the selectors decide what is seen (the access rule), the services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import audit
from cases.models import AuditAction
from meetings.selectors import meeting_get_visible
from tumorboard.errors import Conflict
from tumorboard.labels import field_label
from tumorboard.lookups import as_id
from tumorboard.models import User
from tumorboard.roles import CARE_ROLES, CLINICAL_ROLES, Role
from tumorboard.views import role_required

from . import minutes, selectors, services
from .forms import TaskDoneForm, TaskNotDoneForm
from .models import FollowThroughTask, MinutesSignoff

PAGE_SIZE = 100


def _task(user: User, task_id: int) -> FollowThroughTask:
    task = selectors.task_list_visible_to(user=user).select_related("case").filter(
        pk=task_id).first()
    if task is None:
        audit.record_denied(actor=user, case_id=None, what="follow_through_task")
        raise Http404("No such task.")
    return task


@role_required(*CARE_ROLES)
def task_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    scopes = list(selectors.SCOPES if user.role == Role.COORDINATOR else selectors.SCOPES[:3])
    scope = request.GET.get("scope") or ("unassigned" if user.role == Role.COORDINATOR
                                         else "mine")
    if scope not in scopes:
        raise Http404("No such list.")
    now = timezone.now()
    tasks = list(selectors.with_overdue(selectors.tasks_in_scope(user=user, scope=scope, now=now),
                                        now)
                 .select_related("case__patient").order_by("due_at", "pk")[:PAGE_SIZE])
    audit.record_list_read(actor=user, case_ids=sorted({t.case_id for t in tasks}),
                           what="follow_through_tasks")
    clinicians = (list(User.objects.filter(role__in=CLINICAL_ROLES, is_active=True,
                                           institution_id=user.institution_id)
                       .order_by("last_name", "first_name", "pk"))
                  if user.role == Role.COORDINATOR and user.institution_id is not None else [])
    return render(request, "followthrough/task_list.html", {
        "tasks": tasks, "scope": scope, "scopes": scopes, "now": now,
        "clinicians": clinicians})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):  # local pages only
        return redirect(target)
    return redirect("followthrough:task-list")


def _move(request: HttpRequest, task: FollowThroughTask, move: Callable[[], object], *,
          refused: str, done: str) -> HttpResponse:
    """Run one move of a task; a refusal comes back as a message naming the item and the field
    in the page's words, and changes nothing (the service checks before it writes)."""
    try:
        move()
    except ValidationError as error:
        messages.error(request, f"Task {task.pk} {refused}: " + "; ".join(
            f"{field_label(field).lower()}: {'; '.join(msgs)}"
            for field, msgs in error.message_dict.items()))
    except Conflict as error:
        messages.error(request, f"Task {task.pk}: {error}.")
    else:
        messages.success(request, done)
    return _back(request)


@require_POST
@role_required(*CARE_ROLES)
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = cast(User, request.user)
    task = _task(user, task_id)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Task {task.pk} not marked done: done on: give a date "
                                f"(YYYY-MM-DD).")
        return _back(request)
    return _move(request, task, lambda: services.task_done(
        task=task, actor=user, done_on=form.cleaned_data["done_on"]),
        refused="not marked done",
        done=f"Task {task.pk} ({task.get_kind_display().lower()}) done.")


@require_POST
@role_required(*CARE_ROLES)
def task_not_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = cast(User, request.user)
    task = _task(user, task_id)
    form = TaskNotDoneForm(request.POST)
    reason = form.cleaned_data["not_done_reason"] if form.is_valid() else ""
    return _move(request, task, lambda: services.task_not_done(task=task, actor=user,
                                                               reason=reason),
                 refused="not closed", done=f"Task {task.pk} closed as not done.")


@require_POST
@role_required(Role.COORDINATOR)
def task_assign(request: HttpRequest, task_id: int) -> HttpResponse:
    """An MDT coordinator gives a task (from the queue of unassigned tasks) to a clinician."""
    user = cast(User, request.user)
    task = _task(user, task_id)
    owner_id = as_id(request.POST.get("owner", ""))
    owner = User.objects.filter(pk=owner_id).first() if owner_id else None

    def assign() -> None:
        if owner is None:
            raise ValidationError({"owner": "choose the clinician who will own the task"})
        services.task_assign(task=task, actor=user, owner=owner)

    return _move(request, task, assign, refused="not assigned",
                 done=f"Task {task.pk} assigned to {owner.display_name if owner else ''}.")


@require_POST
@role_required(*CARE_ROLES)
def minutes_signoff(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The chair signs off the minutes of a finalized meeting; they are issued as a PDF."""
    user = cast(User, request.user)
    meeting = meeting_get_visible(user=user, meeting_id=meeting_id)
    try:
        services.minutes_signoff(meeting=meeting, actor=user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, "Not done: " + "; ".join(error.messages))
    except Conflict as error:
        messages.error(request, f"Not done: {error}.")
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    else:
        messages.success(request, "Minutes signed off; the PDF is being issued.")
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


@role_required(*CARE_ROLES)
def minutes_download(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The signed minutes: for those who see every case on the meeting's agenda (the minutes
    hold them all); anyone else gets 404, as for a meeting they do not see."""
    user = cast(User, request.user)
    meeting = meeting_get_visible(user=user, meeting_id=meeting_id)
    signoff = MinutesSignoff.objects.filter(meeting=meeting).first()
    path = minutes.minutes_path(signoff) if signoff is not None else None
    case_ids = list(meeting.items.values_list("case_id", flat=True))
    if signoff is None or path is None or not selectors.sees_all_cases(user=user,
                                                                      case_ids=case_ids):
        raise Http404("No signed minutes.")
    audit.record(actor=user, action=AuditAction.EXPORT, obj=signoff, case_ids=case_ids,
                 detail={"meeting": meeting.pk, "sha256": signoff.sha256})
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"meeting-{meeting.pk}-signed-minutes.pdf")
    return cast(HttpResponse, response)
