"""The referral record follows the patient, in the browser: the case page keeps a declined
referral with its reason and history, and re-flagging shows the last decline (issue 17)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from referrals import services
from tests.browser import world as w

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_declined_referral_stays_on_the_case_page_and_the_flag_form_shows_it(
        clinician) -> None:
    world = w.people()
    case = w.open_case(world, family_name="Harrow", mrn="RIV-7001")
    referral = w.refer(world, case)
    services.referral_acknowledge(referral=referral, actor=world.neuro)
    services.referral_decline(referral=referral, actor=world.neuro,
                              reason="Stable lesion, no instability: MRI in 6 weeks.")
    surgeon = clinician("6-referral-record")
    surgeon.login("alice")
    surgeon.goto(f"/cases/{case.pk}/")
    page = surgeon.page
    section = page.locator("section", has=page.get_by_role("heading", name="Referrals"))
    expect(section).to_contain_text("Declined")
    expect(section).to_contain_text("Stable lesion, no instability: MRI in 6 weeks.")
    expect(section).not_to_contain_text("No referral yet")
    section.get_by_text(re.compile(r"History \(4\)")).click()
    expect(section).to_contain_text("by Bob Wilk")
    surgeon.check("01-case-page-referral-history")
    section.get_by_role("link", name=re.compile("Flag a trigger")).click()
    expect(page.get_by_role("heading", name="Last declined")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Stable lesion, no instability")
    surgeon.check("02-flag-form-last-decline")
    page.get_by_label(re.compile("back pain")).check()
    page.get_by_role("button", name="Flag and refer").click()
    expect(page.locator("main")).to_contain_text("Declined before")
    surgeon.check("03-new-referral-shows-decline")
