"""In the browser: a known MRN typed again (other letter case) offers the patient instead of a
dead end, the search finds a patient without a case, and the study form says which modality
grades Bilsky and refuses a grade on CT beside the field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import world as w

pytestmark = [pytest.mark.django_db(transaction=True)]


def _register(page, mrn: str) -> None:
    page.get_by_label("MRN", exact=True).fill(mrn)
    page.get_by_label("Given name").fill("Lena")
    page.get_by_label("Family name").fill("Ashcombe")
    page.get_by_label("Birth date").fill("1979-02-11")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Register and open a case").click()


def test_a_known_mrn_offers_the_patient_and_the_search_finds_her(clinician) -> None:
    w.people()
    surgeon = clinician("h-registration")
    surgeon.login("alice")
    surgeon.goto("/cases/patients/new/")
    _register(surgeon.page, "RIV-2001")
    expect(surgeon.page.get_by_role("heading", level=1)).to_contain_text("Open")
    surgeon.goto("/cases/?q=ashc")
    expect(surgeon.page.get_by_role("heading", name="Registered patients without a case")
           ).to_be_visible()
    surgeon.check("01-search-finds-patient-without-case")
    surgeon.goto("/cases/patients/new/")
    _register(surgeon.page, "riv-2001")
    page = surgeon.page
    expect(page.get_by_text("This MRN is already registered: open a case for the patient "
                            "below.")).to_be_visible()
    surgeon.check("02-known-mrn-offered")
    page.get_by_role("link", name="Open a case for this patient").click()
    expect(page).to_have_url(re.compile(r"/cases/patients/\d+/cases/new/$"))


def test_the_study_form_refuses_a_bilsky_grade_on_ct(clinician) -> None:
    world = w.people()
    case = w.open_case(world, family_name="Holloway", mrn="RIV-1001")
    w.refer(world, case, levels=["T9"], bilsky="2")
    lesion = case.lesions.get()
    surgeon = clinician("h-imaging-modality")
    surgeon.login("alice")
    surgeon.goto(f"/cases/{case.pk}/lesions/{lesion.pk}/imaging/new/")
    page = surgeon.page
    expect(page.get_by_text("Needs MRI or CT myelography; leave empty for any other "
                            "modality.")).to_be_visible()
    page.get_by_label("Imaging date").fill("2026-02-01")
    page.get_by_label("Modality").select_option("ct")
    page.get_by_label("Pain").select_option("mechanical")
    page.get_by_label("Bone lesion").select_option("lytic")
    page.get_by_label("Alignment").select_option("normal")
    page.get_by_label("Collapse").select_option("over_50")
    page.get_by_label("Posterolateral").select_option("unilateral")
    page.get_by_label("Bilsky").select_option("2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".has-error")).to_contain_text(
        "Bilsky grade needs MRI or CT myelography, not CT")
    surgeon.check("01-bilsky-on-ct-refused")
    page.get_by_label("Bilsky").select_option("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Study of T9 added")
    expect(page.get_by_text("not graded on CT")).to_be_visible()
    surgeon.check("02-case-with-ct-study")
