"""Screenshots of what each role reads, on the demo data (issue 17, "Done when"): every role's
home, a case page, the triage queue and the meeting packet, under
test-artifacts/browser/7-screens/. The rendered text of each (innerText, what is on screen) is
scanned for raw codes and section numbers with the same patterns as
tests/tumorboard/test_words_for_people.py; a failure lists what leaked on which screen."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.tumorboard.test_words_for_people import leaks

pytestmark = [pytest.mark.django_db(transaction=True)]

ROLES = ("breast1", "neuro1", "coordinator", "radonc1", "medonc1", "admin")


def test_each_roles_home_case_queue_and_packet_read_as_words(clinician) -> None:
    from meetings.models import AgendaItem, Meeting
    from meetings.packet import packet_html
    from tumorboard.models import User

    call_command("seed_demo", verbosity=0)
    leaked: dict[str, list[str]] = {}
    shots: list[str] = []

    def shoot(person, name: str) -> None:
        person.check(name)
        shots.append(name)
        found = leaks(" ".join(person.page.inner_text("body").split()))
        if found:
            leaked[name] = found

    for username in ROLES:
        person = clinician("7-screens")
        person.login(username, settings.DEMO_PASSWORD)
        shoot(person, f"{username}-home")
        if username in ("breast1", "neuro1"):
            person.goto("/referrals/")
            shoot(person, f"{username}-triage-queue")
        if username == "breast1":
            person.goto("/cases/")
            case = person.page.locator("main a[href^='/cases/']").evaluate_all(
                "els => els.map(e => e.pathname).filter(p => /^\\/cases\\/\\d+\\/$/.test(p))")
            assert case, "no case in the breast surgeon's list"
            person.goto(case[0])
            shoot(person, f"{username}-case-page")
    coordinator = User.objects.get(username="coordinator")
    meeting = Meeting.objects.filter(
        pk__in=AgendaItem.objects.values("meeting_id")).order_by("pk").first()
    assert meeting is not None
    html, _ = packet_html(meeting=meeting, audience=coordinator, kind="packet")
    viewer = clinician("7-screens")
    viewer.page.set_content(html)
    viewer.page.screenshot(path=str(_artifact("packet.png")), full_page=True)
    found = leaks(" ".join(viewer.page.inner_text("body").split()))
    if found:
        leaked["packet"] = found
    assert len(shots) == len(ROLES) + 3, shots
    assert not leaked, "\n".join(f"{name}:\n  " + "\n  ".join(items)
                                 for name, items in leaked.items())


def _artifact(name: str):
    from tests.browser.conftest import ARTIFACTS

    folder = ARTIFACTS / "7-screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / re.sub(r"[^a-z0-9.-]+", "-", name)
