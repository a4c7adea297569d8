"""Issue 15 in the system Chromium: access follows the care, and alerts reach the right party.

A medical oncologist who sees one case of a meeting is told how many agenda items are not shown;
the coordinator must choose the responsible clinician on purpose; the radiation oncologist made
responsible is alerted and opens the case; the breast oncosurgeon cancels a referral with a
reason, and the neurosurgeon who took it is told.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import world as w
from tests.factories import UserFactory, on_its_day
from tumorboard.roles import Role

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_mdt_reaches_the_people_it_depends_on(clinician) -> None:
    from meetings import services

    world = w.people()
    first = w.open_case(world, family_name="Ashdown", mrn="RIV-5001")
    second = w.open_case(world, family_name="Brockley", mrn="RIV-5002")
    for case in (first, second):
        w.accept(world, w.refer(world, case))
    meeting = w.meeting(world, days=0)
    services.agenda_populate(meeting=meeting, actor=world.coordinator)
    # Added to one case only, not invited: sees the meeting through that case.
    mina = UserFactory(username="mina", first_name="Mina", last_name="Osei",
                       role=Role.MEDICAL_ONCOLOGIST)
    first.oncologists.add(mina)
    rory = UserFactory(username="rory", first_name="Rory", last_name="Hale",
                       role=Role.RADIATION_ONCOLOGIST)

    oncologist = clinician("6-access-hidden-items")
    oncologist.login("mina")
    oncologist.goto(f"/meetings/{meeting.pk}/")
    page = oncologist.page
    expect(page.locator("#hidden-items")).to_contain_text(
        "1 other agenda item is not shown: its patient is outside your care teams")
    expect(page.locator("body")).to_contain_text("Ashdown")
    expect(page.locator("body")).not_to_contain_text("Brockley")
    oncologist.check("01-meeting-one-of-two")

    services.meeting_lock(meeting=meeting, actor=world.coordinator)
    on_its_day(meeting)
    coordinator = clinician("6-access-responsible")
    coordinator.login("carol")
    page = coordinator.page
    coordinator.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Start the session").click()
    item = page.locator("section", has=page.get_by_role("heading", name=re.compile("Ashdown")))
    responsible = item.get_by_label("Responsible")
    expect(responsible).to_have_value("")  # nobody chosen by default
    expect(responsible.locator("option", has_text="Hale")).to_have_count(1)
    item.get_by_label("Pathway").select_option("cebrt")
    item.get_by_label("Rationale").fill("Radiosensitive disease, stable spine.")
    item.get_by_label("Override reason").fill("The board reads the imaging differently.")
    item.get_by_role("button", name="Record the decision").click()
    # The browser refuses the form: the responsible clinician is a required choice.
    assert item.get_by_label("Responsible").evaluate("el => el.validity.valueMissing")
    expect(page.get_by_role("status")).not_to_contain_text("Decision recorded")
    coordinator.check("01-responsible-must-be-chosen")
    item.get_by_label("Responsible").select_option(str(rory.pk))
    item.get_by_label("Override reason").fill("The board reads the imaging differently.")
    item.get_by_label("Rationale").fill("Radiosensitive disease, stable spine.")
    item.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")
    coordinator.check("02-decision-with-responsible")

    radonc = clinician("6-access-responsible-alerted")
    radonc.login("rory")
    radonc.goto("/referrals/alerts/")
    page = radonc.page
    expect(page.locator("main")).to_contain_text("You are responsible for an MDT decision")
    radonc.check("01-alert")
    # The alert names the patient in the application (issue 19); the link opens the case.
    patient = first.patient
    page.get_by_role("link", name=f"{patient.family_name}, {patient.given_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ashdown")
    radonc.check("02-case-opened")


def test_the_breast_surgeon_cancels_with_a_reason_and_the_neurosurgeon_is_told(clinician):
    from referrals import services

    world = w.people()
    case = w.open_case(world, family_name="Cressing", mrn="RIV-6001")
    referral = w.refer(world, case)
    services.referral_acknowledge(referral=referral, actor=world.neuro)
    neuro = clinician("7-cancel-with-reason")
    neuro.login("bob")
    neuro.goto(f"/referrals/{referral.pk}/")
    expect(neuro.page.locator("#act-cancel")).to_have_count(0)  # not the receiving side's move
    breast = clinician("7-cancel-with-reason-breast")
    breast.login("alice")
    breast.goto(f"/referrals/{referral.pk}/")
    page = breast.page
    page.once("dialog", lambda dialog: dialog.accept())
    form = page.locator("#act-cancel")
    form.get_by_label("Why it is cancelled").fill("Treated at the regional centre instead.")
    breast.check("01-cancel-form")
    form.get_by_role("button", name="Cancel the referral").click()
    expect(page.locator("main")).to_contain_text(
        "Cancelled by the referring team: Treated at the regional centre instead.")
    breast.check("02-cancelled")
    neuro.goto("/referrals/alerts/")
    expect(neuro.page.locator("main")).to_contain_text("Referral cancelled")
    neuro.check("01-told")
