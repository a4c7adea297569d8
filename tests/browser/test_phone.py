"""The on-call neurosurgeon triages from a phone at night (issue 17, "Usable on a phone"): at a
390-pixel-wide screen the alert list, the referral with its actions, the triage queue and the case
summary fit, nothing cut off at the right edge; the journey opens the alert, acknowledges and
accepts a red referral. Screenshots: test-artifacts/browser/6-phone-on-call/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import world as w
from tests.browser.conftest import Clinician

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

#: Every visible element whose box leaves the viewport at the left or right edge, or the page
#: scrolling sideways. Visually hidden text (1 px, clipped) is for screen readers and is skipped.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right <= 0) continue;  // skip link: off until focused
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      const cls = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (cls ? '.' + cls.split(/\\s+/).join('.') : '');
      out.push(`${name} [${Math.round(r.left)}..${Math.round(r.right)}] `
        + `"${(el.innerText || '').trim().slice(0, 40)}"`);
    }
  }
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width) out.unshift(`page scrolls sideways: ${scroll} > ${width}`);
  return out;
}"""


@pytest.fixture
def phone(live_server: Any, browser: Any, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(journey: str) -> Clinician:
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE,
                                         "is_mobile": True, "has_touch": True})
        contexts.append(context)
        return Clinician(context.new_page(), live_server.url, journey)

    yield make
    for context in contexts:
        context.close()


def fits(person: Clinician, step: str) -> None:
    """The page fits the phone's width (and passes the usual checks)."""
    person.check(step)
    overflowing = person.page.evaluate(OVERFLOW_JS)
    assert not overflowing, (f"{person.page.url} at {PHONE['width']} px, cut off at the edge:\n  "
                             + "\n  ".join(overflowing[:20]))


def test_on_call_neurosurgeon_accepts_a_red_referral_on_a_phone(phone) -> None:
    world = w.people()
    older = w.open_case(world, family_name="Carvalho", mrn="RIV-1002")
    w.refer(world, older)  # orange, SINS 9
    case = w.open_case(world, family_name="Ambersley", mrn="RIV-1003", neurological_deficit=True)
    referral = w.refer(world, case, levels=["T9"], bilsky="2")
    assert referral.urgency == "red"
    neuro = phone("6-phone-on-call")
    neuro.login("bob")
    page = neuro.page
    fits(neuro, "01-home")
    neuro.goto("/referrals/alerts/")
    alert = page.locator("main tbody tr", has_text=f"Referral #{referral.pk}").first
    expect(alert).to_contain_text("Red")
    fits(neuro, "02-alerts")
    # The alert names the patient (issue 19): her name is the link to the referral.
    alert.get_by_role("link", name=f"{case.patient.family_name}, {case.patient.given_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ambersley")
    fits(neuro, "03-referral")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {referral.pk}: acknowledge")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {referral.pk}: accept done")
    fits(neuro, "04-accepted")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.assignee_id == world.neuro.pk
    neuro.goto("/referrals/")
    expect(page.locator("main")).to_contain_text("Carvalho")
    fits(neuro, "05-triage-queue")
    page.get_by_role("link", name=re.compile("Ambersley")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ambersley")
    fits(neuro, "06-case-summary")
