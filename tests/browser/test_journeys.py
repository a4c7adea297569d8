"""The five clinician journeys of issue 7 (each ends by checking the case summary after a new
imaging study, issue 17), in the system Chromium against the live server.

Each journey starts from data built through the services up to its own step, then does its step
in the browser as the clinician would: clicking links and buttons, filling labelled fields.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import world as w
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]

#: A new study of the lesion (issue 17, found 1): collapse now over 50 % and Bilsky 2. SINS of a
#: thoracic T3-T10 lesion (CLINICAL.md §1): 1 + mechanical 3 + lytic 2 + normal 0 + over 50 % 3
#: + unilateral 1 = 10.
NEW_STUDY = {"imaging_date": "2026-02-01", "pain": "mechanical", "bone_lesion": "lytic",
             "alignment": "normal", "collapse": "over_50", "posterolateral": "unilateral",
             "bilsky": "2"}


def new_study(world: w.World, case: Any) -> None:
    """A new imaging study through the service: the assessment must follow without anyone
    pressing "Run an assessment"."""
    import datetime as dt

    from cases import services

    services.lesion_imaging_add(lesion=case.lesions.first(), actor=world.breast,
                                **{**NEW_STUDY, "imaging_date": dt.date(2026, 2, 1)})


def check_summary_after_new_study(person: Any, case: Any, name: str) -> None:
    """The case page's summary shows the scores of the new study (SINS 10, Bilsky 2)."""
    person.goto(f"/cases/{case.pk}/")
    page = person.page
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary"))
    expect(summary).to_contain_text(re.compile(r"SINS\D{0,3}10\b"))
    expect(summary).to_contain_text(re.compile(r"Bilsky\D{0,3}2\b"))
    lesions = page.locator("section", has=page.get_by_role("heading", name="Spinal lesions"))
    expect(lesions).to_contain_text(re.compile(r"SINS\D{0,3}10\b"))
    person.check(name)


def test_breast_surgeon_records_a_sins_7_lesion_and_sees_the_referral_raised(clinician) -> None:
    world = w.people()
    case = w.open_case(world, family_name="Holloway", mrn="RIV-1001")
    surgeon = clinician("1-breast-surgeon-refers")
    surgeon.login("alice")
    surgeon.check("01-home")
    surgeon.page.get_by_role("link", name=re.compile("Holloway")).first.click()
    expect(surgeon.page.get_by_role("heading", level=1)).to_contain_text("Holloway")
    surgeon.check("02-case-before")
    surgeon.page.get_by_role("link", name="Add a lesion").click()
    page = surgeon.page
    page.get_by_label("Levels").fill("T7")
    page.get_by_label("Imaging date").fill("2026-01-05")
    page.get_by_label("Pain").select_option("mechanical")
    page.get_by_label("Bone lesion").select_option("lytic")
    page.get_by_label("Alignment").select_option("normal")
    page.get_by_label("Collapse").select_option("under_50")
    page.get_by_label("Posterolateral").select_option("unilateral")
    page.get_by_label("Bilsky").select_option("1b")
    surgeon.check("03-lesion-form")
    page.get_by_role("button", name="Save").click()
    # Mechanical pain 3 + lytic 2 + T7 1 + collapse under 50 % 2 + unilateral 1 = SINS 9.
    status = page.get_by_role("status")
    expect(status).to_contain_text("Lesion T7 added")
    expect(status).to_contain_text("Referral")
    referrals = page.locator("section", has=page.get_by_role("heading", name="Referrals"))
    expect(referrals).to_contain_text("SINS 7 or more")
    surgeon.check("04-case-with-referral")
    assert case.referrals.filter(direction="breast_to_neuro", status="sent").count() == 1
    new_study(world, case)
    check_summary_after_new_study(surgeon, case, "05-summary-after-new-study")


def test_neurosurgeon_sees_the_red_referral_first_and_accepts_it(clinician) -> None:
    world = w.people()
    older = w.open_case(world, family_name="Carvalho", mrn="RIV-1002")
    w.refer(world, older)  # orange: SINS 9, no deficit
    case = w.open_case(world, family_name="Ambersley", mrn="RIV-1003", neurological_deficit=True)
    referral = w.refer(world, case, levels=["T9"], bilsky="2")
    assert referral.urgency == "red"
    neuro = clinician("2-neurosurgeon-triages")
    neuro.login("bob")
    page = neuro.page
    queue = page.locator("section", has=page.get_by_role("heading", name=re.compile("Triage")))
    first_row = queue.locator("tbody tr").first
    expect(first_row).to_contain_text("Ambersley")
    expect(first_row).to_contain_text("Red")
    # The bell's number arrives after the page (static/js/app.js): the two referrals' alerts.
    from referrals.models import Alert

    unread = Alert.objects.filter(recipient=world.neuro, acknowledged_at=None).count()
    assert unread >= 2
    bell = page.get_by_role("navigation", name="Main").get_by_role("link",
                                                                  name=re.compile(r"^Alerts"))
    expect(bell).to_have_text(f"Alerts{unread} unread")
    neuro.check("01-triage-queue")
    first_row.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {referral.pk}: acknowledge")
    queue.locator("tbody tr").first.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {referral.pk}: accept done")
    neuro.check("02-accepted")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.assignee_id == world.neuro.pk
    new_study(world, case)
    check_summary_after_new_study(neuro, case, "03-summary-after-new-study")


@pytest.mark.integration
def test_coordinator_populates_locks_and_downloads_the_packet(
    clinician, celery_worker_process: Any
) -> None:
    from pypdf import PdfReader

    world = w.people()
    for index, name in enumerate(("Prewitt", "Kestrel")):
        case = w.open_case(world, family_name=name, mrn=f"RIV-20{index}")
        w.accept(world, w.refer(world, case))
    meeting = w.meeting(world)
    coordinator = clinician("3-coordinator-packet")
    coordinator.login("carol")
    page = coordinator.page
    coordinator.check("01-home")
    page.get_by_role("link", name="Spine metastasis MDT").first.click()
    coordinator.check("02-meeting-planned")
    page.get_by_role("button", name=re.compile("Fill the agenda")).click()
    expect(page.get_by_role("status")).to_contain_text("Agenda filled")
    agenda = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Agenda")))
    expect(agenda.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name=re.compile("Lock the agenda")).click()
    expect(page.get_by_role("status")).to_contain_text("lock done")
    assert any(q.startswith("Lock the agenda?") for q in coordinator.dialogs)
    coordinator.check("03-agenda-locked")
    page.get_by_role("button", name="Prepare the packet").click()
    expect(page.get_by_role("status")).to_contain_text("being prepared")

    def ready() -> bool:
        page.reload()
        return page.get_by_role("link", name=re.compile("Download the packet")).count() > 0

    try:
        wait_for(ready, timeout=90, interval=1)
    except pytest.fail.Exception:
        pytest.fail(f"packet not rendered:\n{celery_worker_process.log()[-3000:]}", pytrace=False)
    coordinator.check("04-packet-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the packet")).click()
    download = download_info.value
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Prewitt" in text and "Kestrel" in text
    meeting.refresh_from_db()
    assert meeting.status == "agenda_locked"
    new_study(world, case)
    check_summary_after_new_study(coordinator, case, "05-summary-after-new-study")


def test_decision_recorded_in_session_shows_on_the_case_page(clinician) -> None:
    from meetings import services

    world = w.people()
    case = w.open_case(world, family_name="Lowell", mrn="RIV-3001")
    w.accept(world, w.refer(world, case))
    meeting = w.meeting(world, days=0)
    services.agenda_populate(meeting=meeting, actor=world.coordinator)
    services.meeting_lock(meeting=meeting, actor=world.coordinator)
    coordinator = clinician("4-decision-in-session")
    coordinator.login("carol")
    page = coordinator.page
    coordinator.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("decisions")
    coordinator.check("01-session")
    item = page.locator("section", has=page.get_by_role("heading", name=re.compile("Lowell")))
    item.get_by_label("Pathway").select_option("separation_surgery_srs")
    item.get_by_label("Responsible").select_option(str(world.neuro.pk))
    item.get_by_label("Rationale").fill("Mechanical instability with SINS 9: stabilise, then SBRT.")
    recommended = item.get_by_text(re.compile("Service recommendation")).inner_text()
    if "separation surgery" not in recommended.replace("_", " "):
        item.get_by_label("Override reason").fill("Board prefers surgery first.")
    item.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded on item 1")
    coordinator.check("02-decision-recorded")
    page.get_by_role("link", name=f"Case #{case.pk}").first.click()
    decisions = page.locator("section", has=page.get_by_role("heading", name="MDT decisions"))
    expect(decisions).to_contain_text("Separation surgery")
    expect(decisions).to_contain_text("Bob Wilk")
    coordinator.check("03-case-page-decision")
    new_study(world, case)
    check_summary_after_new_study(coordinator, case, "04-summary-after-new-study")


def test_an_outsider_gets_a_404_page_for_the_case(clinician) -> None:
    world = w.people()
    case = w.open_case(world, family_name="Kestrel", mrn="RIV-4001")
    outsider = clinician("5-outsider-404")
    outsider.login("mallory")
    outsider.expected_errors.append(r"status of 404")
    response = outsider.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(outsider.page.get_by_role("heading", level=1)).to_contain_text("not found")
    expect(outsider.page.locator("body")).not_to_contain_text("Kestrel")
    expect(outsider.page.locator("body")).not_to_contain_text("RIV-4001")
    outsider.check("01-case-404")
    # After a change of imaging the care team's summary follows; the outsider still sees nothing.
    w.refer(world, case)
    new_study(world, case)
    assert outsider.goto(f"/cases/{case.pk}/").status == 404
    expect(outsider.page.locator("body")).not_to_contain_text("SINS")
    surgeon = clinician("5-outsider-404-care-team")
    surgeon.login("alice")
    check_summary_after_new_study(surgeon, case, "01-summary-after-new-study")
