"""Which recorded therapies need holding around spinal surgery (CLINICAL.md §10)."""

from __future__ import annotations

import pytest

from scoring.calculators import therapies_to_hold


@pytest.mark.parametrize(
    ("cdk46", "agent", "expected"),
    [
        (False, None, ()),
        (None, "", ()),
        (True, None, ("CDK4/6 inhibitor",)),
        (False, "denosumab", ("denosumab",)),
        (False, "zoledronic_acid", ("zoledronic acid",)),
        (True, "denosumab", ("CDK4/6 inhibitor", "denosumab")),
    ],
)
def test_cdk46_inhibitors_and_bone_modifying_agents_need_holding(
    cdk46: bool | None, agent: str | None, expected: tuple[str, ...]
) -> None:
    assert therapies_to_hold(cdk46_inhibitor=cdk46, bone_modifying_agent=agent) == expected
