"""FOLLOW_THROUGH_POLICY v1 against CLINICAL.md §15, row by row (expected values from the text
of §15 and §16, not from the table)."""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough import policy

DECIDED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def _plan(pathway, urgency="green", stabilisation=False, surgery=None):
    return {t.kind: t for t in policy.plan(pathway=pathway, stabilisation=stabilisation,
                                          urgency=urgency, decided_at=DECIDED,
                                          surgery_date=surgery)}


@pytest.mark.parametrize(("urgency", "after"), [("red", 24 * H), ("orange", 72 * H),
                                                ("green", 14 * D), ("", 14 * D)])
def test_surgery_is_booked_by_the_neurosurgeon_within_the_urgency_window(urgency, after):
    task = _plan("separation_surgery_srs", urgency)["surgery_booked"]
    assert task.owner == ("neurosurgeon",)
    assert task.due_at == DECIDED + after


def test_separation_surgery_tasks_follow_the_surgery_date():
    surgery = dt.date(2026, 3, 9)
    tasks = _plan("separation_surgery_srs", "orange", surgery=surgery)
    assert set(tasks) == {"surgery_booked", "preop_checks", "radiation_referral",
                          "radiotherapy_started", "systemic_resumed", "restaging_mri"}
    day = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    assert tasks["preop_checks"].due_at == day  # before the surgery date
    assert tasks["radiation_referral"].due_at == day + 7 * D
    assert tasks["radiation_referral"].owner == ("neurosurgeon",)
    # §16: radiotherapy starts 14 to 28 days after surgery.
    assert tasks["radiotherapy_started"].due_at == day + 28 * D
    assert tasks["radiotherapy_started"].owner == ("radiation_oncologist",)
    assert tasks["systemic_resumed"].owner == ("medical_oncologist", "breast_oncosurgeon")
    # Three months after the last treatment (the radiotherapy).
    assert tasks["restaging_mri"].due_at == day + 28 * D + 90 * D


def test_en_bloc_resection_needs_no_radiotherapy():
    tasks = _plan("en_bloc_resection", "green")
    assert "radiotherapy_started" not in tasks and "radiation_referral" not in tasks
    assert {"surgery_booked", "preop_checks", "systemic_resumed", "restaging_mri"} <= set(tasks)


@pytest.mark.parametrize("pathway", ["srs", "cebrt"])
@pytest.mark.parametrize(("urgency", "after"), [("red", 24 * H), ("orange", 72 * H),
                                                ("green", 14 * D)])
def test_radiotherapy_alone_is_started_within_the_urgency_window(pathway, urgency, after):
    tasks = _plan(pathway, urgency)
    assert set(tasks) == {"radiotherapy_started", "systemic_resumed", "restaging_mri"}
    assert tasks["radiotherapy_started"].due_at == DECIDED + after
    assert tasks["restaging_mri"].due_at == DECIDED + after + 90 * D


def test_stabilisation_adds_the_surgical_tasks():
    tasks = _plan("cebrt", "orange", stabilisation=True)
    assert {"surgery_booked", "preop_checks", "radiation_referral"} <= set(tasks)
    assert policy.next_phase("cebrt", True) == "pre_operative"


def test_systemic_therapy_observation():
    tasks = _plan("systemic_therapy_observation")
    assert set(tasks) == {"systemic_reviewed", "surveillance_mri"}
    assert tasks["systemic_reviewed"].owner == ("medical_oncologist",)
    assert tasks["systemic_reviewed"].due_at == DECIDED + 14 * D
    assert tasks["surveillance_mri"].due_at == DECIDED + 90 * D


def test_palliative_care_referral_is_the_responsible_clinicians_within_7_days():
    tasks = _plan("palliative_care", "red")
    assert set(tasks) == {"palliative_referral"}
    assert tasks["palliative_referral"].owner == (policy.RESPONSIBLE,)
    assert tasks["palliative_referral"].due_at == DECIDED + 7 * D


@pytest.mark.parametrize(("urgency", "after"), [("red", 72 * H), ("orange", 14 * D),
                                                ("green", 14 * D)])
def test_biopsy(urgency, after):
    tasks = _plan("biopsy", urgency)
    assert set(tasks) == {"biopsy_done"}
    assert tasks["biopsy_done"].due_at == DECIDED + after
    assert policy.next_phase("biopsy", False) is None


def test_a_surgery_date_in_the_past_never_makes_a_task_due_before_the_decision():
    tasks = _plan("en_bloc_resection", surgery=dt.date(2026, 1, 1))
    assert all(task.due_at >= DECIDED for task in tasks.values())


@pytest.mark.parametrize(("pathway", "phase"), [
    ("separation_surgery_srs", "pre_operative"), ("en_bloc_resection", "pre_operative"),
    ("srs", "surveillance"), ("cebrt", "surveillance"),
    ("systemic_therapy_observation", "surveillance"), ("palliative_care", "surveillance")])
def test_the_decision_moves_the_case_to_its_next_phase(pathway, phase):
    assert policy.next_phase(pathway, False) == phase


def test_every_pathway_has_a_row_and_the_policy_is_versioned():
    from scoring.calculators import NomsPathway

    assert set(policy.FOLLOW_THROUGH_POLICY) == {p.value for p in NomsPathway}
    assert policy.POLICY_VERSION.endswith("v1")
