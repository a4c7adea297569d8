"""The signed minutes of a finalized meeting as PDF: the minutes of meetings.packet (its HTML and
its WeasyPrint rendering, by import) with the chair's sign-off and the follow-through tasks the
decisions created (CLINICAL.md §15). Rendered by a worker after the sign-off commits
(followthrough.tasks.issue_minutes), never in a request; stored under MEDIA_ROOT/minutes/ with a
random name; a run twice keeps one file (a conditional update)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from meetings.models import PacketKind
from meetings.packet import packet_html, render_pdf

from .models import FollowThroughTask, MinutesSignoff

MINUTES_DIR = "minutes"


def signed_minutes_html(signoff: MinutesSignoff) -> str:
    """The minutes as the chair reads them, with the sign-off and the tasks appended."""
    meeting = signoff.meeting
    html, case_ids = packet_html(meeting=meeting, audience=signoff.signed_by,
                                 kind=PacketKind.MINUTES)
    tasks = list(FollowThroughTask.objects.filter(decision__item__meeting=meeting,
                                                  case_id__in=case_ids)
                 .select_related("owner", "decision__item").order_by("decision__item__position",
                                                                     "due_at", "pk"))
    block = render_to_string("followthrough/minutes_signoff.html",
                             {"signoff": signoff, "meeting": meeting, "tasks": tasks})
    if "</body>" in html:
        return html.replace("</body>", block + "</body>", 1)
    return html + block


def minutes_issue(*, signoff_id: int) -> bool:
    """Render and store the signed minutes; True when this call issued them. Idempotent."""
    signoff = (MinutesSignoff.objects
               .select_related("meeting", "meeting__mdt_team", "meeting__chair",
                               "meeting__coordinator", "signed_by").get(pk=signoff_id))
    if signoff.file:
        return False
    pdf, pages = render_pdf(signed_minutes_html(signoff))
    name = f"{MINUTES_DIR}/{secrets.token_hex(16)}.pdf"
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    updated = MinutesSignoff.objects.filter(pk=signoff_id, file="").update(
        file=name, sha256=hashlib.sha256(pdf).hexdigest(), page_count=pages,
        issued_at=timezone.now())
    if updated != 1:  # issued meanwhile by another run
        target.unlink(missing_ok=True)
        return False
    return True


def minutes_path(signoff: MinutesSignoff) -> Path | None:
    if not signoff.file:
        return None
    path = Path(settings.MEDIA_ROOT) / signoff.file
    return path if path.is_file() else None
