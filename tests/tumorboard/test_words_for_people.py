"""Every page a clinician reads speaks in clinician's words (issue 17, "Words for people"): the
rendered text of each role's home, the case list and case pages, the triage queue, the referral
pages, the alert list, the meeting pages, and the packet and minutes (HTML and the PDF's text)
carries no raw code (a snake_case value), no document section ("§", "CLINICAL.md"), no "+00:00",
no "REQ-" participant role and no "168 h". Runs on the demo data, as a clinician first sees it;
a failure lists what leaked on which page."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

#: Demo logins, one per role.
ROLES = ("breast1", "neuro1", "coordinator", "radonc1", "medonc1", "admin")

#: What a clinician must never read. Each pattern is named for the failure message.
RAW = {
    "snake_case code": re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b"),
    "section sign": re.compile("§"),
    "document name": re.compile(r"CLINICAL\.md|DESIGN\.md", re.I),
    "UTC offset": re.compile(r"[+-]\d\d:\d\d\b"),
    "iCalendar role": re.compile(r"REQ-|OPT-PARTICIPANT|NON-PARTICIPANT"),
    "hours as a due time": re.compile(r"\b168 h\b|within \d+ h\b"),
    "source reference": re.compile(r"\(S\d [^)]*\)"),
}


class _Text(HTMLParser):
    """The visible text of a page: no script, style or template; option labels included."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:  # what a person reads in a tooltip or a placeholder
            if name in ("title", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def leaks(text: str) -> list[str]:
    found = []
    for name, pattern in RAW.items():
        for match in dict.fromkeys(m.group(0) for m in pattern.finditer(text)):
            if name == "snake_case code" and ("@" in text[max(0, text.find(match) - 1):]
                                              [:1] or match.isdigit()):
                continue
            start = text.find(match)
            found.append(f"{name}: {match!r} in '…{text[max(0, start - 40):start + 40]}…'")
    return found


def _links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', html)))


def _pages_of(client: Client) -> dict[str, str]:
    """Each page in reach: the home, the navigation, and one level down."""
    pages: dict[str, str] = {}

    def get(path: str) -> str:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        pages[response.redirect_chain[-1][0] if response.redirect_chain else path] = html
        return html

    home = get("/")
    nav = re.search(r'<nav[^>]*aria-label="Main".*?</nav>', home, re.S)
    paths = _links(nav.group(0) if nav else "", r"/[^\"#?]*")
    paths = [p for p in paths if not p.startswith(("/admin/", "/logout", "/api/"))]
    for path in paths:
        html = get(path)
        for deeper in (_links(html, r"/cases/\d+/")[:3] + _links(html, r"/referrals/\d+/")[:3]
                       + _links(html, r"/meetings/\d+/")[:2]):
            if deeper not in pages:
                inner = get(deeper)
                if re.fullmatch(r"/meetings/\d+/", deeper):
                    get(deeper + "session/")
                del inner
    return pages


def test_no_raw_code_or_section_number_on_any_page_a_clinician_reads() -> None:
    call_command("seed_demo", verbosity=0)
    leaked: dict[str, list[str]] = {}
    visited = []
    for username in ROLES:
        client = Client()
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        for path, html in _pages_of(client).items():
            visited.append(path)
            found = leaks(visible_text(html))
            if found:
                leaked[f"{username} {path}"] = found
    assert any(re.fullmatch(r"/cases/\d+/", p) for p in visited), visited
    assert any(re.fullmatch(r"/referrals/\d+/", p) for p in visited), visited
    assert any(re.fullmatch(r"/meetings/\d+/", p) for p in visited), visited
    assert not leaked, "\n".join(f"{page}:\n  " + "\n  ".join(found)
                                 for page, found in leaked.items())


def test_the_packet_and_minutes_read_as_words_html_and_pdf() -> None:
    from pypdf import PdfReader

    from meetings.models import AgendaItem, Meeting
    from meetings.packet import packet_html, render_pdf
    from tumorboard.models import User

    call_command("seed_demo", verbosity=0)
    coordinator = User.objects.get(username="coordinator")
    meeting_ids = set(AgendaItem.objects.values_list("meeting_id", flat=True))
    assert meeting_ids
    leaked: dict[str, list[str]] = {}
    for meeting in Meeting.objects.filter(pk__in=meeting_ids):
        for kind in ("packet", "minutes"):
            html, _ = packet_html(meeting=meeting, audience=coordinator, kind=kind)
            found = leaks(visible_text(html))
            if found:
                leaked[f"{kind} {meeting.pk} HTML"] = found
            pdf, _pages = render_pdf(html)
            text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
            found = leaks(" ".join(text.split()))
            if found:
                leaked[f"{kind} {meeting.pk} PDF"] = found
    assert not leaked, "\n".join(f"{page}:\n  " + "\n  ".join(found)
                                 for page, found in leaked.items())
