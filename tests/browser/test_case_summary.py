"""The case summary in Chromium: a SINS 14 case says stabilisation beside its pathway (CLINICAL.md
§7: ``stabilisation_required`` whatever the pathway), at desktop width and on a 390-pixel phone,
with nothing cut off; axe-core and the console are checked on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import world as w

pytestmark = [pytest.mark.django_db(transaction=True)]

UNSTABLE_STUDY = {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "subluxation",
                  "collapse": "over_50", "posterolateral": "unilateral"}  # SINS 14 at T7


@pytest.mark.parametrize(("width", "step"), [(1280, "01-desktop"), (390, "02-phone")])
def test_the_summary_of_an_unstable_case_says_stabilisation(clinician, width: int,
                                                            step: str) -> None:
    world = w.people()
    case = w.open_case(world, family_name="Quinn", mrn="SUM-14")
    w.refer(world, case, **UNSTABLE_STUDY)
    person = clinician("case-summary")
    person.page.set_viewport_size({"width": width, "height": 860})
    person.login("alice")
    person.goto(f"/cases/{case.pk}/")
    summary = person.page.get_by_test_id("case-summary")
    expect(summary).to_contain_text(
        "Recommended pathway: Conventional external beam radiotherapy (cEBRT) with stabilisation")
    expect(summary).to_contain_text("Mechanically unstable, SINS 14 of 18")
    expect(summary).to_contain_text("Stabilisation indicated (SINS 13-18)")
    expect(summary).not_to_contain_text("§")
    overflow = person.page.evaluate(
        """w => [...document.querySelectorAll('[data-testid="case-summary"] *')]
               .filter(e => e.getBoundingClientRect().right > w + 1).map(e => e.tagName)""",
        width,
    )
    assert not overflow, f"cut off at {width} px: {overflow}"
    summary.scroll_into_view_if_needed()
    person.check(step, full_page=False)
