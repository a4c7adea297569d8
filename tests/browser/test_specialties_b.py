"""Each specialty's own work in the browser (issue 19, part B):

- the radiation oncologist: a neurosurgeon refers an operated case to radiation oncology; the
  radiation oncologist finds it in the queue on their home page, takes it, plans SBRT on the case
  page and sees §16's window flag and the denosumab warning;
- the medical oncologist: records a CDK4/6 inhibitor episode with a hold before surgery, a
  bone-modifying agent's last dose and a neutrophil count, and reads the earliest safe date of
  elective surgery (§10).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from tests.browser import world as w
from tests.factories import TeamFactory, UserFactory, add_member
from tumorboard.models import Team
from tumorboard.roles import Role

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_radiation_oncologist_takes_a_referral_and_plans_sbrt(clinician) -> None:
    world = w.people()
    radiation = TeamFactory(name="Riverside Radiation Oncology", kind=Team.Kind.RADIATION)
    add_member(radiation, world.oncologist, lead=True)
    case = w.open_case(world, family_name="Quarry", mrn="RIV-8101")
    today = timezone.localdate()
    case_services.episode_create(case=case, actor=world.breast,
                                 therapy_class="bone_modifying_agent", drug="denosumab",
                                 started_on=today - dt.timedelta(days=200))

    surgeon = clinician("19b-radiation-oncologist")
    surgeon.login("bob")
    surgeon.goto(f"/cases/{case.pk}/")
    page = surgeon.page
    page.get_by_role("link", name="Refer to radiation oncology").click()
    page.get_by_label("Urgency").select_option("orange")
    page.get_by_label("What the radiation oncologist is asked to do").fill(
        "SBRT to T7 after separation surgery.")
    surgeon.check("01-neurosurgeon-refers")
    page.get_by_role("button", name="Refer").click()
    expect(page.locator("main")).to_contain_text("to radiation oncology")
    surgeon.check("02-referral-sent")

    radonc = clinician("19b-radiation-oncologist")
    radonc.login("olga")
    page = radonc.page
    expect(page.get_by_role("heading", name="Radiation oncology", level=1)).to_be_visible()
    queue = page.locator("section", has=page.get_by_role("heading", name=re.compile(
        "Radiotherapy referrals")))
    expect(queue).to_contain_text("Quarry")
    radonc.check("03-home-queue")
    queue.get_by_role("button", name=re.compile("Acknowledge")).click()
    queue = page.locator("section", has=page.get_by_role("heading", name=re.compile(
        "Radiotherapy referrals")))
    queue.get_by_role("button", name=re.compile("Accept")).click()
    radonc.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Plan radiotherapy").click()
    surgery = today - dt.timedelta(days=40)
    page.get_by_label("Technique").select_option("sbrt")
    page.get_by_label("Dose (Gy)").fill("24")
    page.get_by_label("Fractions").fill("2")
    page.get_by_label("Target levels").fill("T7")
    page.get_by_label("Separation surgery on").fill(surgery.isoformat())
    page.get_by_label("Planned start").fill((surgery + dt.timedelta(days=37)).isoformat())
    radonc.check("04-plan-form")
    page.get_by_role("button", name="Save").click()
    section = page.locator("section", has=page.get_by_role("heading", name="Radiotherapy",
                                                               exact=True))
    expect(section).to_contain_text("37 days after surgery")
    expect(section).to_contain_text("osteonecrosis")
    section.scroll_into_view_if_needed()
    radonc.check("05-plan-with-flags")
    radonc.goto("/home/radiation-oncology/")
    plans = page.locator("section", has=page.get_by_role("heading", name="Radiotherapy plans"))
    expect(plans).to_contain_text("Quarry")
    expect(plans).to_contain_text("Later than 35 days")
    radonc.check("06-home-plans")


def test_the_medical_oncologist_records_an_episode_with_a_hold_and_sees_the_safe_date(
        clinician) -> None:
    world = w.people()
    medonc = UserFactory(username="mona", first_name="Mona", last_name="Lind",
                         role=Role.MEDICAL_ONCOLOGIST)
    case = w.open_case(world, family_name="Underhill", mrn="RIV-8102")
    case.oncologists.add(medonc)
    today = timezone.localdate()

    person = clinician("19b-medical-oncologist")
    person.login("mona")
    person.goto(f"/cases/{case.pk}/")
    page = person.page
    section = page.locator("section", has=page.get_by_role(
        "heading", name="Systemic therapy and laboratory values"))
    expect(section).to_contain_text("not yet known")
    section.get_by_role("link", name="Record an episode").click()
    page.get_by_label("Therapy class").select_option("cdk46_inhibitor")
    page.get_by_label("Drug").fill("palbociclib")
    page.get_by_label("Started on").fill((today - dt.timedelta(days=90)).isoformat())
    person.check("01-episode-form")
    page.get_by_role("button", name="Save").click()
    section = page.locator("section", has=page.get_by_role(
        "heading", name="Systemic therapy and laboratory values"))
    section.get_by_role("link", name="Hold").click()
    page.get_by_label("From").fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Reason").fill("Before elective spinal surgery")
    page.get_by_role("button", name="Save").click()

    section = page.locator("section", has=page.get_by_role(
        "heading", name="Systemic therapy and laboratory values"))
    section.get_by_role("link", name="Record an episode").click()
    page.get_by_label("Therapy class").select_option("bone_modifying_agent")
    page.get_by_label("Drug").fill("zoledronic acid")
    page.get_by_label("Started on").fill((today - dt.timedelta(days=300)).isoformat())
    page.get_by_label("Last dose").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Save").click()

    for days, value in ((20, "1200"), (1, "1900")):
        section = page.locator("section", has=page.get_by_role(
            "heading", name="Systemic therapy and laboratory values"))
        section.get_by_role("link", name="Record a laboratory value").click()
        page.get_by_label("Kind").select_option("anc")
        page.get_by_label("Value").fill(value)
        page.get_by_label("Taken on").fill((today - dt.timedelta(days=days)).isoformat())
        page.get_by_role("button", name="Save").click()

    section = page.locator("section", has=page.get_by_role(
        "heading", name="Systemic therapy and laboratory values"))
    safe = (today - dt.timedelta(days=10) + dt.timedelta(days=28)).isoformat()
    expect(section.locator(".safe-date")).to_contain_text(safe)
    expect(section).to_contain_text("Before elective spinal surgery")
    expect(section.locator("tr[data-lab='anc']")).to_contain_text("1900")
    expect(section.locator("tr[data-lab='anc'] svg.sparkline")).to_be_visible()
    section.scroll_into_view_if_needed()
    person.check("02-earliest-safe-date")
