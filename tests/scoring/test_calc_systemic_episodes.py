"""Systemic therapy episodes, the earliest safe date of elective surgery, resumption after surgery
and radiotherapy after separation surgery (CLINICAL.md §10 and §16). The numbers are read from
CLINICAL.md: an ANC that *exceeds* 1,500/mm³; a bone-modifying agent's last dose at least 4 weeks
before instrumented surgery; wound healing 14 to 28 days; radiotherapy planned 14 to 28 days after
separation surgery, flagged later than 35 days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scoring.calculators import (
    Episode,
    Hold,
    Lab,
    LabKind,
    RadiotherapyTiming,
    ResumeAction,
    SafetyCode,
    Severity,
    TherapyClass,
    Urgency,
    denosumab_with_radiotherapy,
    earliest_safe_surgery,
    lab_trend,
    radiotherapy_timing,
    radiotherapy_window,
    resume_after_surgery,
)

TODAY = date(2026, 3, 2)


def anc(value: float, on: date = TODAY) -> Lab:
    return Lab(LabKind.ANC, value, on)


def codes(result: object) -> dict[SafetyCode, object]:
    return {c.code: c for c in result.constraints}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("value", "safe"), [(1499, False), (1500, False), (1501, True)])
def test_anc_must_exceed_1500(value: float, safe: bool) -> None:
    result = earliest_safe_surgery(episodes=[], labs=[anc(value)], today=TODAY)
    assert (result.earliest == TODAY) is safe
    assert (result.earliest is None) is not safe
    assert result.blocked is not safe


def test_the_latest_anc_counts_not_the_best() -> None:
    labs = [anc(3000, TODAY - timedelta(days=10)), anc(900, TODAY - timedelta(days=1))]
    result = earliest_safe_surgery(episodes=[], labs=labs, today=TODAY)
    assert result.earliest is None
    assert SafetyCode.ANC_AT_OR_BELOW_1500 in codes(result)
    recovered = earliest_safe_surgery(episodes=[], labs=[*labs, anc(1800, TODAY)], today=TODAY)
    assert recovered.earliest == TODAY


def test_no_anc_gives_no_date() -> None:
    result = earliest_safe_surgery(episodes=[], labs=[], today=TODAY)
    assert result.earliest is None
    assert SafetyCode.ANC_NOT_RECORDED in codes(result)


@pytest.mark.parametrize("days_since_dose", [0, 1, 27, 28, 29])
def test_bone_agent_pause_of_4_weeks(days_since_dose: int) -> None:
    last = TODAY - timedelta(days=days_since_dose)
    zol = Episode(TherapyClass.BONE_MODIFYING_AGENT, "zoledronic acid", date(2025, 6, 1),
                  last_dose_on=last)
    result = earliest_safe_surgery(episodes=[zol], labs=[anc(2000)], today=TODAY)
    # 4 weeks = 28 days after the last dose, never before today.
    assert result.earliest == max(TODAY, last + timedelta(days=28))
    pause = codes(result)[SafetyCode.BONE_AGENT_PAUSE]
    assert pause.severity is (Severity.WARNING if days_since_dose < 28 else Severity.INFO)


def test_planned_date_27_days_after_last_dose_is_warned_28_is_not() -> None:
    last = date(2026, 2, 20)
    zol = Episode(TherapyClass.BONE_MODIFYING_AGENT, "denosumab", date(2025, 6, 1),
                  last_dose_on=last)
    early = earliest_safe_surgery(episodes=[zol], labs=[anc(2000)], today=TODAY,
                                  planned_surgery_date=last + timedelta(days=27))
    ok = earliest_safe_surgery(episodes=[zol], labs=[anc(2000)], today=TODAY,
                               planned_surgery_date=last + timedelta(days=28))
    assert SafetyCode.PLANNED_BEFORE_SAFE in codes(early)
    assert SafetyCode.PLANNED_BEFORE_SAFE not in codes(ok)
    assert ok.earliest == date(2026, 3, 20)


def test_a_hold_is_where_the_bone_agent_pause_starts() -> None:
    held = Episode(TherapyClass.BONE_MODIFYING_AGENT, "zoledronic acid", date(2025, 6, 1),
                   holds=(Hold(date(2026, 2, 10), None, "before surgery"),))
    result = earliest_safe_surgery(episodes=[held], labs=[anc(2000)], today=TODAY)
    # last dose the day before the hold (9 Feb), + 28 days = 9 March
    assert result.earliest == date(2026, 3, 9)


def test_a_bone_agent_still_given_needs_4_weeks_from_now() -> None:
    running = Episode(TherapyClass.BONE_MODIFYING_AGENT, "denosumab", date(2025, 6, 1))
    result = earliest_safe_surgery(episodes=[running], labs=[anc(2000)], today=TODAY)
    assert result.earliest == TODAY + timedelta(days=28)


def test_a_bone_agent_stopped_long_ago_says_nothing() -> None:
    old = Episode(TherapyClass.BONE_MODIFYING_AGENT, "denosumab", date(2025, 1, 1),
                  stopped_on=date(2025, 6, 1))
    result = earliest_safe_surgery(episodes=[old], labs=[anc(2000)], today=TODAY)
    assert SafetyCode.BONE_AGENT_PAUSE not in codes(result)
    assert result.earliest == TODAY


def test_a_running_cdk46_inhibitor_is_flagged_a_held_one_is_not() -> None:
    palbo = Episode(TherapyClass.CDK46_INHIBITOR, "palbociclib", date(2025, 9, 1))
    held = Episode(TherapyClass.CDK46_INHIBITOR, "palbociclib", date(2025, 9, 1),
                   holds=(Hold(TODAY - timedelta(days=7), None, "surgery"),))
    flagged = earliest_safe_surgery(episodes=[palbo], labs=[anc(2000)], today=TODAY)
    quiet = earliest_safe_surgery(episodes=[held], labs=[anc(2000)], today=TODAY)
    assert codes(flagged)[SafetyCode.CDK46_RUNNING].severity is Severity.WARNING
    assert SafetyCode.CDK46_RUNNING not in codes(quiet)


def test_red_urgency_makes_every_constraint_information() -> None:
    zol = Episode(TherapyClass.BONE_MODIFYING_AGENT, "zoledronic acid", date(2025, 6, 1),
                  last_dose_on=TODAY - timedelta(days=3))
    result = earliest_safe_surgery(episodes=[zol], labs=[anc(800)], today=TODAY,
                                   urgency=Urgency.RED)
    assert result.emergency
    assert not result.blocked
    assert result.constraints[0].code is SafetyCode.EMERGENCY_OVERRIDE
    assert {c.severity for c in result.constraints} == {Severity.INFO}


def test_orange_urgency_still_blocks() -> None:
    result = earliest_safe_surgery(episodes=[], labs=[anc(800)], today=TODAY,
                                   urgency=Urgency.ORANGE)
    assert result.blocked and not result.emergency


# --- after surgery (§16) ------------------------------------------------------------------------

SURGERY = date(2026, 4, 1)


@pytest.mark.parametrize(("therapy_class", "action"), [
    (TherapyClass.CDK46_INHIBITOR, ResumeAction.RESUME_AFTER_HEALING),
    (TherapyClass.CHEMOTHERAPY, ResumeAction.RESUME_AFTER_HEALING),
    (TherapyClass.ADC, ResumeAction.RESUME_AFTER_HEALING),
    (TherapyClass.BONE_MODIFYING_AGENT, ResumeAction.RESUME_AFTER_HEALING),
    (TherapyClass.ENDOCRINE, ResumeAction.MAY_CONTINUE),
    (TherapyClass.ANTI_HER2, ResumeAction.MAY_CONTINUE),
])
def test_resume_after_surgery(therapy_class: TherapyClass, action: ResumeAction) -> None:
    (item,) = resume_after_surgery([Episode(therapy_class, "x", date(2026, 1, 1))], SURGERY)
    assert item.action is action
    if action is ResumeAction.RESUME_AFTER_HEALING:
        assert (item.earliest, item.latest) == (date(2026, 4, 15), date(2026, 4, 29))
    else:
        assert item.earliest is None


def test_an_episode_stopped_before_surgery_or_started_after_does_not_resume() -> None:
    stopped = Episode(TherapyClass.CHEMOTHERAPY, "paclitaxel", date(2026, 1, 1),
                      stopped_on=date(2026, 3, 31))
    later = Episode(TherapyClass.CHEMOTHERAPY, "capecitabine", date(2026, 4, 2))
    assert resume_after_surgery([stopped, later], SURGERY) == ()


def test_a_held_episode_still_resumes() -> None:
    held = Episode(TherapyClass.CDK46_INHIBITOR, "ribociclib", date(2026, 1, 1),
                   holds=(Hold(date(2026, 3, 20), None, "surgery"),))
    (item,) = resume_after_surgery([held], SURGERY)
    assert item.action is ResumeAction.RESUME_AFTER_HEALING


# --- radiotherapy after separation surgery (§16) ----------------------------------------------


@pytest.mark.parametrize(("days", "timing", "flagged"), [
    (13, RadiotherapyTiming.BEFORE_WOUND_HEALING, False),
    (14, RadiotherapyTiming.IN_WINDOW, False),
    (28, RadiotherapyTiming.IN_WINDOW, False),
    (29, RadiotherapyTiming.AFTER_WINDOW, False),
    (35, RadiotherapyTiming.AFTER_WINDOW, False),
    (36, RadiotherapyTiming.LATE, True),
])
def test_radiotherapy_window_boundaries(days: int, timing: RadiotherapyTiming,
                                        flagged: bool) -> None:
    got, severity, _ = radiotherapy_timing(days)
    assert got is timing
    assert (severity is Severity.BLOCK) is flagged
    (flag,) = radiotherapy_window(surgery_date=SURGERY,
                                  planned_start=SURGERY + timedelta(days=days))
    assert flag.days == days and flag.timing is timing


def test_radiotherapy_window_reads_planned_and_actual() -> None:
    flags = radiotherapy_window(surgery_date=SURGERY, planned_start=SURGERY + timedelta(days=20),
                                actual_start=SURGERY + timedelta(days=40))
    assert [(f.which, f.timing) for f in flags] == [
        ("planned", RadiotherapyTiming.IN_WINDOW), ("actual", RadiotherapyTiming.LATE)]


def test_denosumab_during_radiotherapy_is_warned() -> None:
    deno = Episode(TherapyClass.BONE_MODIFYING_AGENT, "denosumab", date(2026, 1, 1))
    zol = Episode(TherapyClass.BONE_MODIFYING_AGENT, "zoledronic acid", date(2026, 1, 1))
    stopped = Episode(TherapyClass.BONE_MODIFYING_AGENT, "denosumab", date(2025, 1, 1),
                      stopped_on=date(2026, 4, 14))
    start, end = date(2026, 4, 15), date(2026, 4, 20)
    assert len(denosumab_with_radiotherapy([deno], start=start, end=end)) == 1
    assert denosumab_with_radiotherapy([zol], start=start, end=end) == ()
    assert denosumab_with_radiotherapy([stopped], start=start, end=end) == ()
    assert "osteonecrosis" in denosumab_with_radiotherapy([deno], start=start, end=None)[0]


def test_lab_trend() -> None:
    assert lab_trend([1.0]) == ""
    assert lab_trend([1.0, 2.0]) == "up"
    assert lab_trend([2.0, 1.0]) == "down"
    assert lab_trend([2.0, 2.0]) == "same"
