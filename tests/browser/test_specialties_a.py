"""Journeys of issue 19 (part A) in Chromium, one per new piece of work, with screenshots under
test-artifacts/browser/<journey>/ and axe-core and the console checked on every page:

- the palliative care physician: added to the care team on the case page, lands on their home,
  records a follow-up visit with pain and analgesics, and sees the outcome trends (§18);
- the physiotherapist: the same with ambulatory status;
- the breast oncosurgeon: sees the occult-primary referral on their home, records a raised marker
  and a confirming biopsy (§17), and the case's primary becomes a known breast cancer.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import world as w
from tests.factories import UserFactory
from tumorboard.roles import Role

pytestmark = [pytest.mark.django_db(transaction=True)]


def _visit(case, world, days_ago: int, **fields) -> None:
    from cases import services

    services.followup_create(case=case, actor=world.neuro,
                             visit_date=timezone.localdate() - dt.timedelta(days=days_ago),
                             **{"frankel": "E", "kps": 70, "pain_nrs": 6,
                                "ambulation": "with_aid", "analgesics": "strong_opioid",
                                **fields})


@pytest.mark.parametrize(("username", "role", "journey", "fields"), [
    ("pia", Role.PALLIATIVE_CARE_PHYSICIAN, "palliative-care",
     {"pain_nrs": "3", "analgesics": "weak_opioid", "ambulation": "with_aid"}),
    ("phil", Role.PHYSIOTHERAPIST, "physiotherapy",
     {"pain_nrs": "4", "analgesics": "non_opioid", "ambulation": "independent"}),
])  # fmt: skip
def test_a_specialist_joins_the_care_team_and_records_a_visit(clinician, username, role,
                                                              journey, fields) -> None:
    world = w.people()
    specialist = UserFactory(username=username, first_name=username.title(), last_name="Care",
                             role=role)
    case = w.open_case(world, family_name="Lindgren", mrn=f"SPEC-{username}")
    w.refer(world, case)
    _visit(case, world, 60)

    surgeon = clinician(journey)
    surgeon.login("alice")
    surgeon.goto(f"/cases/{case.pk}/")
    surgeon.page.get_by_label("Add palliative care or physiotherapy").select_option(
        str(specialist.pk))
    surgeon.page.get_by_role("button", name="Add to the care team").click()
    expect(surgeon.page.get_by_text(f"{specialist.display_name} joined the care team"))\
        .to_be_visible()
    surgeon.check("01-added-by-the-surgeon", full_page=False)

    person = clinician(journey)
    person.login(username)
    expect(person.page).to_have_url(f"{person.base_url}/home/specialist/")
    expect(person.page.get_by_role("link", name="Lindgren, Jane")).to_be_visible()
    person.check("02-home")
    person.page.get_by_role("link", name="Lindgren, Jane").click()
    person.page.get_by_role("link", name="Record a follow-up visit").click()
    page = person.page
    page.get_by_label("Visit date").fill(timezone.localdate().isoformat())
    page.get_by_label("Frankel", exact=False).first.select_option("E")
    page.get_by_label("KPS").fill("70")
    page.get_by_label("Pain (NRS 0-10)").fill(fields["pain_nrs"])
    page.get_by_label("Analgesic use").select_option(fields["analgesics"])
    page.get_by_label("Ambulation").select_option(fields["ambulation"])
    person.check("03-visit-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up visit recorded.")).to_be_visible()
    chart = page.locator("#trend-pain_nrs")
    expect(chart.locator("svg title").first).to_have_text("Pain (NRS 0-10) over time")
    expect(chart).to_contain_text("better")
    expect(page.locator("#trend-analgesics")).to_contain_text("better")
    page.locator("#outcome-trends").scroll_into_view_if_needed()
    person.check("04-trends")


def test_the_breast_oncosurgeon_confirms_an_occult_primary(clinician) -> None:
    from tests.factories import add_lesion, create_case

    world = w.people()
    from tests.factories import PatientFactory

    patient = PatientFactory(institution=world.neuro.institution, family_name="Okonkwo",
                             given_name="Ada", mrn="OCC-1")
    case = create_case(actor=world.neuro, patient=patient, primary_status="unknown", er=None,
                       pr=None, her2=None, ki67=None, **world.teams)
    add_lesion(case, actor=world.neuro, bilsky="0")
    referral = case.referrals.get(direction="neuro_to_breast")

    person = clinician("occult-primary")
    person.login("alice")
    incoming = person.page.locator("#incoming-referrals").locator("xpath=..")
    expect(incoming).to_contain_text("Okonkwo, Ada")
    person.check("01-home-incoming")
    person.goto(f"/referrals/{referral.pk}/")
    page = person.page
    page.get_by_role("link", name="Record a result").click()
    today = timezone.localdate().isoformat()
    page.get_by_label("Kind").select_option("marker")
    page.get_by_label("Date of the test").fill(today)
    page.get_by_label("Marker").select_option("ca15_3")
    page.get_by_label("Value").fill("48.5")
    person.check("02-result-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("required for this kind of result")).to_be_visible()  # the limit
    person.check("03-field-error")
    page.get_by_label("Upper reference limit").fill("31.3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("above the limit")).to_be_visible()
    page.get_by_role("link", name="Record a result").click()
    page.get_by_label("Kind").select_option("biopsy")
    page.get_by_label("Date of the test").fill(today)
    page.get_by_label("Biopsy site").select_option("spine")
    page.get_by_label("Histology of breast origin").select_option("true")
    page.get_by_label("ER positive").select_option("true")
    page.get_by_label("PR positive").select_option("true")
    page.get_by_label("HER2 positive").select_option("false")
    page.get_by_label("Ki-67 (%)").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#workup-verdict")).to_contain_text("Breast primary confirmed")
    expect(page.locator("#summary").locator("xpath=..")).to_contain_text("Accepted")
    person.check("04-confirmed")
    case.refresh_from_db()
    assert (case.primary_status, case.subtype) == ("known_breast", "luminal_a")
