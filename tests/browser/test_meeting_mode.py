"""A whole MDT meeting run in meeting mode (issue 18), in the system Chromium against the live
server: the coordinator prepares the cases (presenter, question), a radiation oncologist adds a
preliminary opinion, the agenda is locked and the session started; meeting mode walks three
cases with the keyboard, attendance is recorded from it, one case is decided with an override,
and the meeting is finalized. Screenshots: test-artifacts/browser/18-meeting-mode/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import world as w

pytestmark = [pytest.mark.django_db(transaction=True)]

JOURNEY = "18-meeting-mode"


def test_a_meeting_is_prepared_and_run_in_meeting_mode(clinician) -> None:
    from meetings import services
    from meetings.models import AgendaItem, Decision
    from meetings.snapshot import recommended

    world = w.people()
    for name, mrn in (("Ashdown", "RIV-1801"), ("Brockley", "RIV-1802"), ("Carrow", "RIV-1803")):
        case = w.open_case(world, family_name=name, mrn=mrn)
        w.accept(world, w.refer(world, case))
    meeting = w.meeting(world, days=0)
    services.agenda_populate(meeting=meeting, actor=world.coordinator)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position")
                 .select_related("case__patient"))
    first = items[0]

    # The coordinator prepares the first case: presenter from its care team, the question.
    coordinator = clinician(JOURNEY)
    coordinator.login("carol")
    page = coordinator.page
    coordinator.goto(f"/meetings/{meeting.pk}/")
    prepare = page.locator(f"#prepare-{first.pk}")
    expect(prepare).to_contain_text("Whole-spine MRI within 30 days")
    prepare.get_by_label("Presenter").select_option(str(world.neuro.pk))
    prepare.get_by_label("Question for the board").fill("Stabilise first, or SBRT alone?")
    prepare.get_by_role("button", name="Save presenter and question").click()
    expect(page.get_by_role("status")).to_contain_text("prepared")
    expect(page.locator("#agenda")).to_be_visible()
    coordinator.check("01-prepared")

    # A radiation oncologist invited to the meeting gives a preliminary opinion.
    oncologist = clinician(JOURNEY)
    oncologist.login("olga")
    opage = oncologist.page
    oncologist.goto(f"/meetings/{meeting.pk}/")
    opinion = opage.locator(f"#prepare-{first.pk}")
    opinion.get_by_label("Specialty").select_option("radiation_oncology")
    opinion.get_by_label("Preliminary opinion").fill("Radiosensitive: SBRT 24 Gy in 2 fractions.")
    opinion.get_by_role("button", name="Add my opinion").click()
    expect(opage.locator(f"#prepare-{first.pk}")).to_contain_text("SBRT 24 Gy in 2 fractions")
    oncologist.check("02-opinion")

    # Lock (warned about incomplete cases), start, open meeting mode.
    coordinator.goto(f"/meetings/{meeting.pk}/")
    expect(page.locator("#lock-warning")).to_contain_text("not complete for the board")
    page.get_by_role("button", name=re.compile("Lock the agenda")).click()
    expect(page.get_by_role("button", name="Start the session")).to_be_visible()
    assert any("not complete" in question for question in coordinator.dialogs)
    page.get_by_role("button", name="Start the session").click()
    coordinator.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name=re.compile("Meeting mode")).click()
    expect(page.locator("#live-position")).to_have_text("1 of 3")
    expect(page.locator("#presentation")).to_contain_text(first.case.patient.family_name)
    expect(page.locator(".live-presentation")).to_contain_text("SBRT 24 Gy in 2 fractions")
    expect(page.locator(".live-presentation")).to_contain_text("Stabilise first, or SBRT alone?")
    coordinator.check("03-meeting-mode-first", full_page=False)

    # Attendance from the same page.
    for person in (world.breast, world.neuro, world.oncologist):
        page.get_by_role("button", name=f"{person.display_name} present").click()
        expect(page.get_by_role("status")).to_contain_text("Attendance recorded")
    expect(page.locator("#live-position")).to_have_text("1 of 3")

    # Walk the agenda with the keyboard.
    page.locator("body").press("ArrowRight")
    expect(page.locator("#live-position")).to_have_text("2 of 3")
    page.locator("body").press("ArrowRight")
    expect(page.locator("#live-position")).to_have_text("3 of 3")
    coordinator.check("04-meeting-mode-third", full_page=False)
    page.locator("body").press("ArrowLeft")
    expect(page.locator("#live-position")).to_have_text("2 of 3")
    page.get_by_role("link", name="← Previous case").click()
    expect(page.locator("#live-position")).to_have_text("1 of 3")

    # Decide the first case against the recommendation, with the reason.
    first.refresh_from_db()
    pathway, _ = recommended(first.snapshot)
    chosen = "separation_surgery_srs" if pathway != "separation_surgery_srs" else "cebrt"
    form = page.locator(f"#decide-{first.pk}")
    form.get_by_label("Pathway").select_option(chosen)
    form.get_by_label("Responsible clinician").select_option(str(world.neuro.pk))
    form.get_by_label("Rationale").fill("Mechanical pain: stabilise, then radiotherapy.")
    coordinator.expected_errors.append(r"status of 400")  # the refused submit answers 400
    form.get_by_role("button", name="Record the decision").click()
    # Refused without the reason: the input stays, the error names the item and the field.
    expect(page.locator(f"#errors-{first.pk}")).to_contain_text("Override reason")
    expect(page.locator(f"#errors-{first.pk}")).to_contain_text("item 1")
    expect(form.get_by_label("Rationale")).to_have_value(
        "Mechanical pain: stabilise, then radiotherapy.")
    coordinator.check("05-refused-keeps-input", full_page=False)
    form = page.locator(f"#decide-{first.pk}")
    form.get_by_label("Override reason").fill("Rapid neurological decline since the MRI.")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded on item 1")
    expect(page.locator("#decided")).to_contain_text("overrides it")
    coordinator.check("06-decided-with-override", full_page=False)
    decision = Decision.objects.get(item=first)
    assert decision.pathway == chosen and decision.follows_recommendation is False

    # The other two as recommended (through the service), then finalize on the meeting page.
    for item in items[1:]:
        item.refresh_from_db()
        rec, stab = recommended(item.snapshot)
        services.decision_record(item=item, actor=world.coordinator, pathway=rec,
                                 stabilisation=bool(stab), rationale="As recommended.",
                                 responsible=world.oncologist)
    coordinator.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Finalize the meeting").click()
    expect(page.get_by_role("status")).to_contain_text("finalize done")
    coordinator.check("07-finalized")
    meeting.refresh_from_db()
    assert meeting.status == "finalized" and meeting.quorum_met is True

    # Follow-through (CLINICAL.md §15): finalizing created the decision's tasks with due times; an
    # owner is alerted and finds the task under "My tasks", an unowned one waits in the
    # coordinators' queue.
    from followthrough.models import FollowThroughTask
    from referrals.models import Alert

    tasks = list(FollowThroughTask.objects.filter(decision=decision).select_related("owner")
                 .order_by("due_at", "pk"))
    assert tasks and all(task.due_at > decision.decided_at for task in tasks)
    owned = [task for task in tasks if task.owner is not None]
    if owned:
        task = owned[0]
        assert Alert.objects.filter(recipient=task.owner, case=first.case,
                                    kind="task_assigned").exists()
        owner = clinician(JOURNEY)
        owner.login(task.owner.username)
        owner.goto("/")
        expect(owner.page.locator("body")).to_contain_text("My tasks")
        expect(owner.page.locator("body")).to_contain_text(task.get_kind_display())
        owner.check("08-owner-my-tasks")
    else:
        coordinator.goto("/tasks/?scope=unassigned")
        expect(page.locator("body")).to_contain_text(tasks[0].get_kind_display())
        coordinator.check("08-unassigned-tasks")
