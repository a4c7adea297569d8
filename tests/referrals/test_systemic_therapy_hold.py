""""Hold or adjust systemic therapy" only for a therapy that needs holding (CLINICAL.md §10):
a CDK4/6 inhibitor or a bone-modifying agent, with high-grade compression (Bilsky 2-3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cases import services as case_services
from referrals.models import Alert, Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db

COMPRESSING: dict[str, Any] = {"bilsky": "2"}


def _hold_alerts(case: Any) -> list[tuple[str, str]]:
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    return list(Alert.objects.filter(referral=referral, kind="systemic_therapy_hold")
                .values_list("recipient__username", "kind"))


@pytest.mark.parametrize(
    "therapy",
    [{"cdk46_inhibitor": True}, {"bone_modifying_agent": "denosumab"},
     {"bone_modifying_agent": "zoledronic_acid", "bone_agent_last_dose": dt.date(2026, 1, 5)}],
)
def test_high_grade_compression_on_a_therapy_to_hold_advises_the_breast_oncosurgeon(
    therapy: dict[str, Any], breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team, **therapy)
    add_lesion(case, actor=breast_surgeon, **COMPRESSING)
    assert _hold_alerts(case) == [(breast_surgeon.username, "systemic_therapy_hold")]


def test_high_grade_compression_on_no_systemic_therapy_gives_no_hold_advice(
    breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon, **COMPRESSING)
    assert _hold_alerts(case) == []


def test_low_grade_compression_on_a_cdk46_inhibitor_gives_no_hold_advice(
    breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team, cdk46_inhibitor=True)
    add_lesion(case, actor=breast_surgeon, bilsky="1c")
    assert _hold_alerts(case) == []


def test_a_therapy_recorded_before_the_compression_rises_gives_the_advice_on_extension(
    breast_surgeon, neurosurgeon, breast_team, spine_team, mdt_team,
) -> None:
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team, cdk46_inhibitor=True)
    lesion = add_lesion(case, actor=breast_surgeon)  # SINS 9, Bilsky 1b: green referral
    assert _hold_alerts(case) == []
    case_services.lesion_imaging_add(
        lesion=lesion, actor=breast_surgeon, imaging_date=dt.date(2026, 1, 20), pain="mechanical",
        bone_lesion="lytic", alignment="normal", collapse="under_50", posterolateral="unilateral",
        bilsky="3",
    )
    assert _hold_alerts(case) == [(breast_surgeon.username, "systemic_therapy_hold")]
