"""Surgical timing around systemic therapy (CLINICAL.md §10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from scoring.calculators import (
    BilskyGrade,
    BoneModifyingAgent,
    MolecularSubtype,
    ScoringInputError,
    Severity,
    TimingCode,
    Urgency,
    timing_checks,
)

BASE: dict[str, Any] = {
    "urgency": Urgency.ORANGE,
    "subtype": MolecularSubtype.LUMINAL_B,
    "max_bilsky": BilskyGrade.GRADE_1A,
}


def checks(**changes: Any) -> dict[TimingCode, Any]:
    return {check.code: check for check in timing_checks(**{**BASE, **changes})}


def test_nothing_to_say_without_systemic_data() -> None:
    assert checks() == {}


@pytest.mark.parametrize(("anc", "blocked"), [(900, True), (1500, True), (1501, False)])
def test_elective_surgery_waits_until_anc_exceeds_1500(anc: int, blocked: bool) -> None:
    found = checks(anc_per_mm3=anc)
    assert (TimingCode.ANC_AT_OR_BELOW_1500 in found) is blocked
    if blocked:
        assert found[TimingCode.ANC_AT_OR_BELOW_1500].severity is Severity.BLOCK
        assert str(anc) in found[TimingCode.ANC_AT_OR_BELOW_1500].message


def test_cdk46_inhibitor_is_flagged_as_myelosuppressive() -> None:
    check = checks(cdk46_inhibitor=True)[TimingCode.CDK46_INHIBITOR]
    assert check.severity is Severity.WARNING
    assert "palbociclib" in check.message
    assert TimingCode.CDK46_INHIBITOR not in checks(cdk46_inhibitor=False)


@pytest.mark.parametrize(
    ("last_dose", "code", "severity"),
    [
        (date(2026, 3, 4), TimingCode.BONE_AGENT_WITHIN_4_WEEKS, Severity.WARNING),  # 27 days
        (date(2026, 3, 3), TimingCode.BONE_AGENT_PAUSE, Severity.INFO),  # 28 days
    ],
)
def test_bone_agent_under_4_weeks_before_the_planned_date_warns(
    last_dose: date, code: TimingCode, severity: Severity
) -> None:
    found = checks(
        bone_modifying_agent=BoneModifyingAgent.DENOSUMAB,
        bone_agent_last_dose=last_dose,
        planned_surgery_date=date(2026, 3, 31),
    )
    assert found[code].severity is severity
    assert "denosumab" in found[code].message.lower()


def test_bone_agent_without_a_planned_date_counts_to_today() -> None:
    found = checks(
        bone_modifying_agent=BoneModifyingAgent.ZOLEDRONIC_ACID,
        bone_agent_last_dose=date(2026, 3, 1),
        today=date(2026, 3, 15),
    )
    assert "14 days before today" in found[TimingCode.BONE_AGENT_WITHIN_4_WEEKS].message


def test_bone_agent_without_a_last_dose_is_information() -> None:
    found = checks(bone_modifying_agent=BoneModifyingAgent.ZOLEDRONIC_ACID)
    assert found[TimingCode.BONE_AGENT_PAUSE].severity is Severity.INFO


def test_red_urgency_turns_every_block_and_warning_into_information() -> None:
    kwargs: dict[str, Any] = {
        "anc_per_mm3": 800,
        "cdk46_inhibitor": True,
        "bone_modifying_agent": BoneModifyingAgent.DENOSUMAB,
        "bone_agent_last_dose": date(2026, 3, 20),
        "planned_surgery_date": date(2026, 3, 21),
    }
    orange = checks(**kwargs)
    assert {c.severity for c in orange.values()} == {Severity.BLOCK, Severity.WARNING}
    red = timing_checks(**{**BASE, **kwargs, "urgency": Urgency.RED})
    assert red[0].code is TimingCode.EMERGENCY_OVERRIDE
    assert {check.severity for check in red} == {Severity.INFO}
    assert {check.code for check in red} == set(orange) | {TimingCode.EMERGENCY_OVERRIDE}


def test_luminal_a_may_defer_elective_surgery() -> None:
    for level in (None, Urgency.GREEN):
        found = checks(subtype=MolecularSubtype.LUMINAL_A, urgency=level)
        assert found[TimingCode.LUMINAL_A_ELECTIVE_DEFERRAL].severity is Severity.INFO
    for level in (Urgency.ORANGE, Urgency.RED):
        found = checks(subtype=MolecularSubtype.LUMINAL_A, urgency=level)
        assert TimingCode.LUMINAL_A_ELECTIVE_DEFERRAL not in found


@pytest.mark.parametrize(("grade", "shown"), [("1c", False), ("2", True), ("3", True)])
def test_triple_negative_with_high_grade_goes_to_surgery_within_hours(
    grade: str, shown: bool
) -> None:
    found = checks(
        subtype=MolecularSubtype.TRIPLE_NEGATIVE, max_bilsky=BilskyGrade(grade), urgency=Urgency.RED
    )
    assert (TimingCode.TRIPLE_NEGATIVE_SURGERY_WITHIN_HOURS in found) is shown
    if shown:
        check = found[TimingCode.TRIPLE_NEGATIVE_SURGERY_WITHIN_HOURS]
        assert check.severity is Severity.INFO
        assert check.to_dict()["severity"] == "info"


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ScoringInputError) as caught:
        checks(anc_per_mm3=-5, cdk46_inhibitor="no", bone_agent_last_dose="2026-01-01")
    assert set(caught.value.errors) == {
        "anc_per_mm3", "cdk46_inhibitor", "bone_agent_last_dose",
    }  # fmt: skip


def test_a_dose_after_the_planned_date_warns_in_plain_words() -> None:
    found = checks(
        bone_modifying_agent=BoneModifyingAgent.DENOSUMAB,
        bone_agent_last_dose=date(2026, 4, 3),
        planned_surgery_date=date(2026, 3, 31),
    )
    assert "3 days after the planned date" in found[TimingCode.BONE_AGENT_WITHIN_4_WEEKS].message
