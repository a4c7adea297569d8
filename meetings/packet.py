"""The meeting packet and the minutes as PDF (WeasyPrint), rendered by a worker, never in a
request (meetings.tasks.render_packet).

- Audience: a packet row belongs to one reader; it holds only the agenda items whose case that
  reader may see (cases.selectors.case_list_visible_to, via meetings.selectors.items_visible_to),
  checked again at render time.
- Content: before the lock, each case is built live; after it, from the item's snapshot.
- Fonts: DejaVu Sans shipped in static/fonts/ and loaded by @font-face; the URL fetcher refuses
  everything but file:// URLs under that folder, so nothing is fetched over the network.
- Speed: one section per case, each with its own small tables (a table spanning pages is slow).
- Storage: MEDIA_ROOT/packets/<random>.pdf (no name or MRN in a file name), with sha256 and page
  count; the claim is a conditional update, so a task run twice renders once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Patient
from tumorboard.models import User
from tumorboard.timezones import zone_named

from . import completeness, selectors, snapshot
from .ical import attendee_role
from .models import AgendaItem, Decision, Meeting, Packet, PacketKind, PacketStatus

logger = logging.getLogger(__name__)

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
PACKETS_DIR = "packets"
#: A claim older than this is taken to be a dead worker's: the next run may claim it again.
STALE_RENDER = timedelta(minutes=10)
#: A request still pending this long is sent to the workers again when asked for once more.
STALE_PENDING = timedelta(minutes=1)
CONFIDENTIAL = ("CONFIDENTIAL: patient-identifiable information for the spine MDT only. "
                "Do not forward, print only when needed, destroy after use.")


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fonts = FONTS_DIR.resolve()

    class LocalFontsOnly(URLFetcher):
        """Serves file:// URLs under static/fonts/ and refuses every other URL."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file"}, fail_on_errors=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError("the packet renderer fetches nothing but its own fonts")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(fonts) or not path.is_file():
                raise ValueError("the packet renderer fetches nothing but its own fonts")
            return URLFetcherResponse(url, body=path.read_bytes(),
                                      headers={"Content-Type": "font/ttf"})

    return LocalFontsOnly()


@dataclass
class CaseSection:
    position: int
    item: AgendaItem
    patient: Patient
    snap: dict[str, Any]
    decision: Decision | None
    result: dict[str, Any] | None = field(default=None)
    completeness: Any = field(default=None)
    opinions: list[Any] = field(default_factory=list)


def _sections(meeting: Meeting, audience: User) -> list[CaseSection]:
    items = list(selectors.items_visible_to(user=audience, meeting=meeting))
    live_ids = [item.case_id for item in items if item.snapshot is None]
    live = snapshot.load_cases(live_ids) if live_ids else {}
    now = timezone.now()
    completeness.for_items(items, day=timezone.localtime(meeting.starts_at).date())
    opinions = selectors.opinions_by_item(items)
    sections = []
    for item in items:
        snap = item.snapshot or snapshot.case_snapshot(live[item.case_id], now=now)
        assessment = snap.get("assessment")
        sections.append(CaseSection(
            position=item.position, item=item, patient=item.case.patient, snap=snap,
            decision=getattr(item, "decision", None),
            result=assessment["result"] if assessment else None,
            completeness=item.completeness,  # type: ignore[attr-defined]
            opinions=opinions[item.pk],
        ))
    return sections


def packet_html(*, meeting: Meeting, audience: User, kind: str) -> tuple[str, list[int]]:
    """The packet's HTML for ``audience`` and the ids of the cases it holds."""
    sections = _sections(meeting, audience)
    attendances = selectors.attendance_rows(meeting=meeting)
    for attendance in attendances:
        attendance.ical_role = attendee_role(meeting, attendance)  # type: ignore[attr-defined]
    zone = zone_named(getattr(audience, "time_zone", "") or "") or timezone.get_default_timezone()
    with timezone.override(zone):  # times in the reader's own zone, as on the pages
        html = _render(meeting, sections, attendances, kind, selectors.hidden_item_count(
            user=audience, meeting=meeting, shown=len(sections)))
    return html, [section.item.case_id for section in sections]


def _render(meeting: Meeting, sections: list[CaseSection], attendances: Any, kind: str,
            hidden: int) -> str:
    return render_to_string("meetings/packet.html", {
        "meeting": meeting, "sections": sections, "attendances": attendances,
        "quorum": selectors.quorum_state(attendances), "minutes": kind == PacketKind.MINUTES,
        "confidential": CONFIDENTIAL, "generated_at": timezone.now(),
        "hidden_items": hidden,
        "fonts_url": FONTS_DIR.resolve().as_uri() + "/",
    })


def render_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, page count)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=FONTS_DIR.resolve().as_uri() + "/",
                    url_fetcher=_fetcher()).render()
    return document.write_pdf(), len(document.pages)


def _claim(packet_id: int) -> bool:
    now = timezone.now()
    return Packet.objects.filter(
        Q(status=PacketStatus.PENDING)
        | Q(status=PacketStatus.RENDERING, started_at__lt=now - STALE_RENDER),
        pk=packet_id,
    ).update(status=PacketStatus.RENDERING, started_at=now, attempts=F("attempts") + 1) == 1


def packet_render(*, packet_id: int) -> bool:
    """Render one requested packet; True when this call rendered it. Idempotent: a packet
    already claimed, ready or failed is left alone."""
    if not _claim(packet_id):
        return False
    packet = Packet.objects.select_related("meeting", "meeting__mdt_team", "meeting__chair",
                                           "meeting__coordinator", "audience").get(pk=packet_id)
    started = time.monotonic()
    try:
        html, case_ids = packet_html(meeting=packet.meeting, audience=packet.audience,
                                     kind=packet.kind)
        pdf, pages = render_pdf(html)
        name = f"{PACKETS_DIR}/{secrets.token_hex(16)}.pdf"
        target = Path(settings.MEDIA_ROOT) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf)
    except OSError:
        Packet.objects.filter(pk=packet_id, status=PacketStatus.RENDERING).update(
            status=PacketStatus.PENDING)
        raise  # the task retries
    except Exception as error:  # a template or layout error: retrying will not help
        logger.exception("packet %s failed to render", packet_id)
        Packet.objects.filter(pk=packet_id, status=PacketStatus.RENDERING).update(
            status=PacketStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(error).__name__}")
        return False
    old = packet.file
    updated = Packet.objects.filter(pk=packet_id, status=PacketStatus.RENDERING).update(
        status=PacketStatus.READY, finished_at=timezone.now(), file=name,
        sha256=hashlib.sha256(pdf).hexdigest(), page_count=pages, size_bytes=len(pdf),
        render_seconds=round(time.monotonic() - started, 3), case_ids=case_ids, error="")
    if updated != 1:  # re-requested meanwhile: this file is stale
        target.unlink(missing_ok=True)
        return False
    if old and old != name:
        (Path(settings.MEDIA_ROOT) / old).unlink(missing_ok=True)
    return True


def packet_path(packet: Packet) -> Path | None:
    if packet.status != PacketStatus.READY or not packet.file:
        return None
    path = Path(settings.MEDIA_ROOT) / packet.file
    return path if path.is_file() else None
