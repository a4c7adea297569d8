"""Browser journeys in the system Chromium, driven by Playwright against the live server.

Every page a journey visits is checked with axe-core (vendored under static/vendor/axe-core,
injected by Playwright, never served to users) and must log no console error (a blocked inline
script or style under the CSP shows up there). Screenshots go to
test-artifacts/browser/<journey>/<step>.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import require_service

# The ORM is called from test code while Playwright's sync API runs its own event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
BASE_DIR = Path(__file__).resolve().parents[2]
AXE = BASE_DIR / "static" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = BASE_DIR / "test-artifacts" / "browser"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

#: axe-core: all WCAG 2.0/2.1 A and AA rules (labels, contrast, names, ...) plus the heading rules
#: that axe files under best practice.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"page-has-heading-one": {"enabled": True}, "heading-order": {"enabled": True},
              "empty-heading": {"enabled": True}, "landmark-one-main": {"enabled": True}},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """The system Chromium, kept off the network (it would try to reach Google's services)."""
    if not CHROMIUM.exists():
        require_service("needs Chromium: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860},
            "timezone_id": "Europe/London", "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _own_queue(request: pytest.FixtureRequest) -> None:
    """With Redis, tasks the pages send (alerts, packets) go to this session's own queue, not a
    queue a later run or deploy/smoke would consume."""
    if settings.REDIS_URL:
        request.getfixturevalue("test_queue")


class Clinician:
    """A Playwright page logged in as one person, with the checks every page gets."""

    def __init__(self, page: Any, base_url: str, journey: str) -> None:
        self.page, self.base_url, self.journey = page, base_url, journey
        self.errors: list[str] = []
        self.expected_errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error"
                else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.dialogs: list[str] = []
        page.on("dialog", self._confirm)
        page.context.add_init_script(path=str(AXE))  # runs outside the page's CSP

    def _confirm(self, dialog: Any) -> None:
        """Say yes to the confirmation a destructive act asks for, and remember the question."""
        self.dialogs.append(dialog.message)
        dialog.accept()

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"login of {username} failed"

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def check(self, step: str, *, full_page: bool = True) -> None:
        """Screenshot, then axe-core and the console: fail on any violation or error."""
        self.page.wait_for_load_state()
        folder = ARTIFACTS / self.journey
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{step}.png"), full_page=full_page)
        violations = self.page.evaluate("options => axe.run(document, options)"
                                        ".then(r => r.violations)", AXE_OPTIONS)
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']}\n    "
            + "\n    ".join(f"{n['target']}: {n.get('failureSummary', '')}"[:400]
                            for n in v["nodes"][:5])
            for v in violations
        ]
        assert not problems, (f"axe-core on {self.page.url} ({self.journey}/{step}):\n"
                              + "\n".join(problems))
        unexpected = [e for e in self.errors
                      if not any(re.search(p, e) for p in self.expected_errors)]
        assert not unexpected, f"console errors on {self.page.url}: {unexpected}"
        self.errors.clear()


@pytest.fixture
def clinician(live_server: Any, browser: Any, browser_context_args: dict[str, Any],
              request: pytest.FixtureRequest) -> Iterator[Any]:
    """``clinician("journey")`` gives a fresh browser context (its own cookies) per person."""
    contexts: list[Any] = []

    def make(journey: str) -> Clinician:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return Clinician(context.new_page(), live_server.url, journey)

    yield make
    for context in contexts:
        context.close()
