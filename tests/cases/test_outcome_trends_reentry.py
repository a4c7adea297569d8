"""§18 re-entry at its boundaries (cases.followups.reentry_findings and followup_create): which
visit findings re-enter spine-metastasis detection, and from which phase the case moves."""

from __future__ import annotations

import datetime as dt

import pytest

from cases import services
from cases.followups import reentry_findings
from cases.models import Case, FollowUpVisit
from tests.cases.test_followup_reentry import QUIET_STUDY


def visit(**fields) -> FollowUpVisit:
    base = {"visit_date": dt.date(2026, 1, 5), "frankel": "E", "kps": 80, "pain_nrs": 2,
            "ambulation": "independent"}
    return FollowUpVisit(**{**base, **fields})


@pytest.mark.parametrize(("before", "now", "deficit"), [
    ("E", "E", False),   # normal stays normal
    ("E", "D", True),    # the first step down is a new deficit
    ("D", "D", False),   # the same deficit is not new
    ("D", "C", True),    # one grade worse
    ("C", "D", False),   # better is not a deficit
    ("", "E", False),    # nothing before, normal now
    ("", "D", True),     # nothing before: Frankel A-D is a deficit (§6)
    ("B", "A", True),
])  # fmt: skip
def test_a_new_deficit_is_a_worse_frankel_grade(before: str, now: str, deficit: bool) -> None:
    assert ("new_deficit" in reentry_findings(visit(frankel=now), frankel_before=before)) \
        is deficit


@pytest.mark.parametrize(("fields", "found"), [
    ({"new_spinal_lesions": None}, []),
    ({"new_spinal_lesions": False}, []),
    ({"new_spinal_lesions": True}, ["new_spinal_lesions"]),
    ({"local_control": "not_assessed"}, []),
    ({"local_control": "controlled"}, []),
    ({"local_control": "progression"}, ["local_progression"]),
    ({"new_metastases": True}, []),  # new metastases elsewhere are not spinal: no re-entry
    ({"new_spinal_lesions": True, "local_control": "progression", "frankel": "D"},
     ["new_spinal_lesions", "local_progression", "new_deficit"]),
])  # fmt: skip
def test_which_findings_re_enter(fields, found) -> None:
    assert reentry_findings(visit(**fields), frankel_before="E") == found


def _case_in(phase_path: tuple[str, ...], breast_surgeon, teams) -> Case:
    from tests.factories import create_case

    case = create_case(actor=breast_surgeon, **teams)
    services.lesion_create(case=case, actor=breast_surgeon, levels=["T7"], **QUIET_STUDY)
    for phase in phase_path:
        services.case_transition(case=case, to_phase=phase, reason="pathway", actor=breast_surgeon)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "moves"), [
    (("spine_metastasis_detection", "mdt_tumor_board", "surveillance"), True),
    (("spine_metastasis_detection", "mdt_tumor_board"), False),  # in the pathway already
])  # fmt: skip
def test_re_entry_moves_the_case_back_only_from_surveillance(path, moves, breast_surgeon,
                                                             teams) -> None:
    case = _case_in(path, breast_surgeon, teams)
    services.followup_create(case=case, actor=breast_surgeon, visit_date=dt.date(2026, 1, 5),
                             frankel="E", kps=80, pain_nrs=2, ambulation="independent",
                             analgesics="none", local_control="progression")
    case.refresh_from_db()
    assert case.phase == ("spine_metastasis_detection" if moves else path[-1])


@pytest.mark.django_db
def test_a_quiet_visit_in_surveillance_stays(breast_surgeon, teams) -> None:
    case = _case_in(("spine_metastasis_detection", "mdt_tumor_board", "surveillance"),
                    breast_surgeon, teams)
    services.followup_create(case=case, actor=breast_surgeon, visit_date=dt.date(2026, 1, 5),
                             frankel=case.frankel or "E", kps=80, pain_nrs=2,
                             ambulation="independent", analgesics="none",
                             local_control="controlled", new_spinal_lesions=False)
    case.refresh_from_db()
    assert case.phase == "surveillance"
