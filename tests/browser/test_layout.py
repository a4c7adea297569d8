"""The layout's own behaviour in Chromium: a keyboard-only login, and the inactivity warning that
offers "Stay signed in" before the server's timeout, then sends the person to the login page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import world as w

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_keyboard_login_then_the_inactivity_warning_and_stay_signed_in(clinician,
                                                                       settings) -> None:
    w.people()
    settings.SESSION_COOKIE_AGE = 8  # the warning shows half-way (at most 2 minutes before)
    person = clinician("layout-session-timeout")
    page = person.page
    person.goto("/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus: type straight away
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/home/breast/$"))
    warning = page.get_by_role("alertdialog", name="Still there?")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=8000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    person.check("01-warning")
    with page.expect_response(re.compile("/session/keepalive/")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(warning).to_be_hidden()
    # No more activity: the page follows the server and goes to the login page.
    expect(page).to_have_url(re.compile("/login/\\?next=%2Fhome%2Fbreast%2F"), timeout=15000)
    person.check("02-signed-out")
