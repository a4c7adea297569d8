"""Every page each role reaches from its navigation, and the pages one level down, pass axe-core
(WCAG 2.0/2.1 A and AA: labels, contrast, names; plus the heading rules) in Chromium, with no
console error. Runs on the demo data (python manage.py seed_demo), as a clinician first sees it;
the screenshots of this tour show the first screen of each page (the journeys keep whole pages)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True)]

#: Demo logins, one per role.
ROLES = ("breast1", "neuro1", "coordinator", "radonc1", "medonc1", "admin")


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"


def _nav_paths(page: Any) -> list[str]:
    hrefs = page.locator("nav[aria-label=Main] a").evaluate_all("els => els.map(e => e.pathname)")
    # Django's own admin is not our page; it keeps its own look.
    return [h for h in dict.fromkeys(hrefs) if not h.startswith("/admin/")]


def _first_link(page: Any, pattern: str) -> str | None:
    hrefs = page.locator("main a").evaluate_all("els => els.map(e => e.pathname)")
    return next((h for h in hrefs if re.fullmatch(pattern, h)), None)


def test_every_page_in_reach_of_each_role_passes_axe(clinician) -> None:
    call_command("seed_demo", verbosity=0)
    visited: list[str] = []
    forms_done = False
    for username in ROLES:
        person = clinician(f"tour-{username}")
        person.login(username, settings.DEMO_PASSWORD)
        person.check("00-home")
        paths = _nav_paths(person.page)
        assert paths, f"{username} has no navigation"
        deeper: list[str] = []
        for path in paths:
            person.goto(path)
            person.check(_slug(path), full_page=False)
            visited.append(path)
            if path == "/cases/":
                case = _first_link(person.page, r"/cases/\d+/")
                if case:
                    deeper.append(case)
            if path == "/referrals/":
                referral = _first_link(person.page, r"/referrals/\d+/")
                if referral:
                    deeper.append(referral)
            if path == "/meetings/":
                meeting = _first_link(person.page, r"/meetings/\d+/")
                if meeting:
                    deeper += [meeting, meeting + "session/"]
        for path in deeper:
            person.goto(path)
            person.check(_slug(path), full_page=False)
            visited.append(path)
            if re.fullmatch(r"/cases/\d+/", path) and not forms_done:
                # The case's forms: everything a link on the case page opens.
                links = person.page.locator("main a").evaluate_all(
                    "els => els.map(e => e.pathname)")
                forms = list(dict.fromkeys(h for h in links if re.fullmatch(
                        rf"{path}(edit|lesions/new|phase|assessments/new|followups/new"
                        rf"|as-of|lesions/\d+/imaging/new)/|/referrals/flag/\d+/", h)))
                for form in forms:
                    person.goto(form)
                    person.check(_slug(form), full_page=False)
                    visited.append(form)
                # The same forms for every role that may change a case: done once a case the
                # person may change was reached (the first case listed may be one they only see).
                forms_done = any(form.endswith("/edit/") for form in forms)
    # The tour must have reached the pages one level down, not only the navigation.
    assert any(re.fullmatch(r"/cases/\d+/edit/", p) for p in visited), visited
    assert any(re.fullmatch(r"/meetings/\d+/session/", p) for p in visited), visited
    assert any(re.fullmatch(r"/referrals/\d+/", p) for p in visited), visited
