"""The case page's pictures as data (cases.diagrams): the phase strip and the spine column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from cases import diagrams
from cases.timeline import Phase


def _event(phase: Phase, day: int, who: str = "Helen Marsh") -> Any:
    return SimpleNamespace(to_phase=phase.value, at=dt.datetime(2026, 1, day, 9, 0, tzinfo=dt.UTC),
                           actor=SimpleNamespace(display_name=who))


def test_timeline_marks_done_current_and_upcoming_in_phase_order() -> None:
    boxes = diagrams.timeline_diagram(
        [_event(Phase.INITIAL_DIAGNOSIS, 1), _event(Phase.SPINE_METASTASIS_DETECTION, 3, "Tom")],
        Phase.SPINE_METASTASIS_DETECTION.value)
    assert [b.phase for b in boxes] == list(Phase)
    assert [b.state for b in boxes] == ["done", "current"] + ["upcoming"] * 5
    assert [b.x for b in boxes] == [i * diagrams.PHASE_WIDTH for i in range(7)]
    assert boxes[1].entered_by == "Tom" and boxes[1].entered_at.day == 3
    assert boxes[2].entered_at is None and boxes[2].state_text == "not reached"


def test_timeline_non_surgical_pathway_skips_the_surgical_phases() -> None:
    events = [_event(Phase.INITIAL_DIAGNOSIS, 1), _event(Phase.SPINE_METASTASIS_DETECTION, 2),
              _event(Phase.MDT_TUMOR_BOARD, 3), _event(Phase.SURVEILLANCE, 4)]
    states = {b.phase: b.state for b in diagrams.timeline_diagram(events, "surveillance")}
    assert states[Phase.PRE_OPERATIVE] == states[Phase.SURGERY] == "skipped"
    assert states[Phase.POST_OPERATIVE] == "skipped"
    assert states[Phase.SURVEILLANCE] == "current" and states[Phase.MDT_TUMOR_BOARD] == "done"


def test_timeline_re_entry_after_progression_counts_entries_and_shows_the_latest() -> None:
    events = [_event(Phase.SPINE_METASTASIS_DETECTION, 1), _event(Phase.MDT_TUMOR_BOARD, 2),
              _event(Phase.SURVEILLANCE, 3), _event(Phase.SPINE_METASTASIS_DETECTION, 20)]
    box = diagrams.timeline_diagram(events, "spine_metastasis_detection")[1]
    assert box.state == "current" and box.entries == 2 and box.entered_at.day == 20


@dataclass
class _Lesion:
    label: str
    levels: list[str]


@dataclass
class _View:
    lesion: _Lesion
    latest: Any = None
    sins: dict[str, Any] | None = field(default=None)


def _study(**over: str) -> Any:
    base = {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
            "collapse": "under_50", "posterolateral": "unilateral", "bilsky": "1b"}
    return SimpleNamespace(**{**base, **over})


def test_spine_has_every_level_c0_to_s5_top_to_bottom() -> None:
    spine = diagrams.spine_diagram([])
    names = [row.name for row in spine.levels]
    assert names[0] == "C0" and names[-1] == "S5" and len(names) == 30
    assert [row.y for row in spine.levels] == sorted(row.y for row in spine.levels)
    assert spine.marks == []
    assert {row.name for row in spine.levels if row.labelled} >= {"C0", "T1", "L1", "S1"}


def test_spine_marks_a_lesion_at_its_levels_with_its_scores_and_urgency() -> None:
    view = _View(_Lesion("T11-T12", ["T11", "T12"]), _study(bilsky="2"),
                 {"total": 14, "band": "unstable"})
    (mark,) = diagrams.spine_diagram([view], subtype="luminal_a").marks
    ys = {row.name: row.y for row in diagrams.spine_diagram([view]).levels}
    assert mark.y == ys["T11"] and mark.height == 2 * diagrams.LEVEL_HEIGHT
    assert (mark.sins_total, mark.sins_band, mark.bilsky) == (14, "unstable", "2")
    # CLINICAL.md §9: high-grade ESCC in luminal disease is orange, not red.
    assert mark.urgency == "orange"
    assert mark.summary == "T11-T12: SINS 14 (unstable), Bilsky 2, urgency orange"


def test_spine_lesion_urgency_follows_the_clinical_rule() -> None:
    # High-grade ESCC in triple-negative disease: red (§9).
    assert diagrams.lesion_urgency(sins_total=9, bilsky="2", subtype="triple_negative") == "red"
    # SINS 7 or more without high-grade ESCC: green, the trigger's elective colour.
    assert diagrams.lesion_urgency(sins_total=9, bilsky="0", subtype="luminal_a") == "green"
    # Nothing fired by this lesion: no colour.
    assert diagrams.lesion_urgency(sins_total=4, bilsky="0", subtype="luminal_a") == ""
    assert diagrams.lesion_urgency(sins_total=None, bilsky="", subtype=None) == ""


def test_spine_scores_a_lesion_not_yet_assessed_from_its_latest_study() -> None:
    view = _View(_Lesion("T7", ["T7"]), _study())
    (mark,) = diagrams.spine_diagram([view]).marks
    # Mechanical pain 3 + lytic 2 + T7 1 + collapse under 50 % 2 + unilateral 1 (CLINICAL.md §1).
    assert (mark.sins_total, mark.sins_band, mark.sins_from_study) == (9, "indeterminate", True)


def test_spine_leaves_out_unknown_levels_and_a_lesion_without_a_study_is_unscored() -> None:
    marks = diagrams.spine_diagram([_View(_Lesion("coccyx", ["Co1"])),
                                    _View(_Lesion("L2", ["L2"]))]).marks
    assert [m.label for m in marks] == ["L2"]
    assert marks[0].sins_total is None and marks[0].urgency == ""
    assert "not scored" in marks[0].summary
