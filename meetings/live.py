"""Meeting mode (issue 18): one page that walks the agenda live, one case at a time, for the
projector: the case's presentation beside the decision form, attendance on the same page.

Constant queries whatever the agenda's length: the agenda is read once (the visible items, the
navigation strip), and only the CURRENT case is presented in full (cases.selectors.case_detail,
cases.summary, the opinions, the completeness table, the care-team clinicians for the decision
form). Two coordinators and the chair at once: every decision form carries the version it was
read at (meetings.services.decision_record refuses a stale one)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import audit, diagrams
from cases.followups import current_status
from cases.selectors import case_detail, outcome_trend
from cases.summary import case_summary
from cases.systemic import systemic_picture
from tumorboard.lookups import as_id
from tumorboard.models import User

from . import completeness, selectors, services, states
from .forms import DecisionForm, attach_decision_forms
from .models import Meeting


def live_page(request: HttpRequest, meeting: Meeting, *, current: Any = None,
              bound: DecisionForm | None = None, status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    items = selectors.agenda_strip(user=user, meeting=meeting)
    wanted = as_id(current)
    index = next((i for i, item in enumerate(items) if item.pk == wanted), 0)
    attendances = selectors.attendance_rows(meeting=meeting)
    runner = services.is_runner(meeting, user)
    context: dict[str, Any] = {
        "meeting": meeting, "items": items, "attendances": attendances,
        "quorum": selectors.quorum_state(attendances), "runner": runner,
        "allowed": states.allowed_actions(meeting.status), "view": "live",
        "hidden_items": selectors.hidden_item_count(user=user, meeting=meeting,
                                                    shown=len(items)),
    }
    if items:
        # The whole row of the item shown; the strip holds what it shows of the others.
        # With the assessment's result: the lesions shown are scored from it (the agenda's
        # lists leave it unread; reading it afterwards was a query of its own).
        item = (selectors.items_visible_to(user=user, meeting=meeting)
                .defer(None).defer("case__latest_assessment__inputs").get(pk=items[index].pk))
        case = item.case
        detail = case_detail(case=case)
        # Episodes, holds, laboratory trends and the earliest safe date of surgery (§10, §16),
        # which the completeness table reads too.
        systemic = systemic_picture(case, events=[stay.event for stay in detail.stays])
        completeness.for_items([item], day=timezone.localtime(meeting.starts_at).date(),
                               systemic={case.pk: completeness.systemic_of(case, systemic)})
        item.opinion_list = selectors.opinions_by_item([item])[item.pk]  # type: ignore[attr-defined]
        people = list(selectors.clinicians())
        attach_decision_forms([item], people, bound, item.pk if bound is not None else None)
        audit.record_case_read(actor=user, case=case, what="meeting_mode")
        context.update({
            "item": item, "case": case, "detail": detail, "index": index + 1,
            "total": len(items),
            "previous": items[index - 1] if index > 0 else None,
            "next": items[index + 1] if index + 1 < len(items) else None,
            "summary": case_summary(case),
            "systemic": systemic,
            "spine": diagrams.spine_diagram(detail.lesions, subtype=case.subtype),
            "trends": [trend for trend in outcome_trend(detail.followups) if trend.verdict],
            "current_status": current_status(case, detail.followups),
        })
    return render(request, "meetings/meeting_live.html", context, status=status)
