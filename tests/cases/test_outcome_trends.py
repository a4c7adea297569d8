"""Outcomes at follow-up (CLINICAL.md §18): what a visit records, the trend charts drawn from the
visits (positions computed here by hand from the chart geometry), and the page's accessible SVG
with its table fallback."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cases import outcome_charts, services
from cases.models import FollowUpVisit
from cases.outcome_charts import trend_charts

D1, D2, D3 = dt.date(2026, 1, 1), dt.date(2026, 1, 11), dt.date(2026, 1, 31)


def visit(on: dt.date, **fields) -> FollowUpVisit:
    base = {"frankel": "E", "kps": 80, "pain_nrs": 2, "ambulation": "independent"}
    return FollowUpVisit(visit_date=on, **{**base, **fields})


def xy(points) -> list[float]:
    return [coordinate for p in points for coordinate in (p.x, p.y)]


def near(*pairs: tuple[float, float]):
    """The expected coordinates, to the 0.1 unit the chart rounds to."""
    return pytest.approx([c for pair in pairs for c in pair], abs=0.051)


def chart(charts, field):
    return next(c for c in charts if c.field == field)


# The chart's plot: x from 84 to 340 - 12 = 328 (244 wide), y from 12 to 150 - 30 = 120 (108 high).
LEFT, WIDTH, TOP, BOTTOM = 84, 244, 12, 120


def test_the_plot_geometry_is_the_one_these_tests_assume() -> None:
    assert (outcome_charts.PLOT_LEFT, outcome_charts.PLOT_WIDTH) == (LEFT, WIDTH)
    assert (outcome_charts.PLOT_TOP, outcome_charts.PLOT_TOP + outcome_charts.PLOT_HEIGHT) == (
        TOP, BOTTOM)


def test_pain_is_drawn_by_date_and_value_and_its_fall_is_better() -> None:
    charts = trend_charts([visit(D3, pain_nrs=2), visit(D1, pain_nrs=8), visit(D2, pain_nrs=10)])
    pain = chart(charts, "pain_nrs")
    # x: 0, 10 and 30 days of 30; y: 8/10, 10/10 and 2/10 up from the bottom.
    assert xy(pain.points) == near((LEFT, BOTTOM - 0.8 * 108), (LEFT + WIDTH / 3, TOP),
                                   (LEFT + WIDTH, BOTTOM - 0.2 * 108))
    assert pain.verdict == "better"  # 8 -> 2, lower is better
    assert [text for _, text in pain.rows] == ["8", "10", "2"]


def test_graded_measures_sit_on_their_grades() -> None:
    charts = trend_charts([visit(D1, frankel="C", ambulation="non_ambulatory",
                                 analgesics="strong_opioid"),
                           visit(D3, frankel="E", ambulation="with_aid", analgesics="none")])
    frankel = chart(charts, "frankel")
    # C is grade 2 of 0-4, E the top.
    assert [p.y for p in frankel.points] == pytest.approx([BOTTOM - 0.5 * 108, TOP])
    assert frankel.verdict == "better"
    walking = chart(charts, "ambulation")
    assert [p.y for p in walking.points] == pytest.approx([BOTTOM, BOTTOM - 0.5 * 108])
    assert walking.verdict == "better"
    pills = chart(charts, "analgesics")
    assert [p.y for p in pills.points] == [TOP, BOTTOM]  # strong opioid step 3 of 3, then none
    assert pills.verdict == "better"
    assert [t.text for t in frankel.ticks] == ["A", "B", "C", "D", "E"]


def test_a_measure_never_recorded_has_no_chart_and_a_gap_is_skipped_not_zeroed() -> None:
    charts = trend_charts([visit(D1, qlq_c30_global=40), visit(D2), visit(D3, qlq_c30_global=30)])
    assert "mdasi_severity" not in {c.field for c in charts}
    qol = chart(charts, "qlq_c30_global")
    assert len(qol.points) == 2 and qol.verdict == "worse"  # 40 -> 30, higher is better
    assert [text for _, text in qol.rows] == ["40", "—", "30"]


def test_one_visit_is_one_point_in_the_middle_without_a_verdict() -> None:
    [kps] = [c for c in trend_charts([visit(D1, kps=70)]) if c.field == "kps"]
    assert xy(kps.points) == near((LEFT + WIDTH / 2, BOTTOM - 0.7 * 108))
    assert kps.verdict == ""


def test_mdasi_scores_chart_with_their_decimals() -> None:
    charts = trend_charts([visit(D1, mdasi_severity=Decimal("6.5")),
                           visit(D3, mdasi_severity=Decimal("6.5"))])
    mdasi = chart(charts, "mdasi_severity")
    assert [p.text for p in mdasi.points] == ["6.5", "6.5"]
    assert mdasi.verdict == "unchanged"
    assert "6.5" in mdasi.desc and "lower is better" in mdasi.desc


# --- with the database: the visit records, the page draws ---------------------------------------


@pytest.mark.django_db
def test_a_visit_records_analgesics_and_mdasi_and_refuses_out_of_range(care_case,
                                                                       breast_surgeon) -> None:
    from django.core.exceptions import ValidationError

    saved = services.followup_create(case=care_case, actor=breast_surgeon,
                                     visit_date=dt.date(2026, 1, 5), frankel="E", kps=80,
                                     pain_nrs=3, ambulation="with_aid", analgesics="weak_opioid",
                                     mdasi_severity=Decimal("10.0"), mdasi_interference=Decimal(0))
    assert (saved.analgesics, saved.mdasi_severity) == ("weak_opioid", Decimal("10.0"))
    for bad in ({"mdasi_severity": Decimal("10.1")}, {"pain_nrs": 11},
                {"analgesics": "morphine"}):
        with pytest.raises(ValidationError) as refused:
            services.followup_create(case=care_case, actor=breast_surgeon,
                                     visit_date=dt.date(2026, 1, 6), frankel="E", kps=80,
                                     ambulation="with_aid", **{"pain_nrs": 3, **bad})
        assert set(bad) <= set(refused.value.message_dict)
    assert FollowUpVisit.objects.filter(case=care_case).count() == 1


@pytest.mark.django_db
def test_the_form_requires_analgesic_use(client, care_case, breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    page = client.post(reverse("cases:followup-create", args=[care_case.pk]), {
        "visit_date": "2026-01-05", "frankel": "E", "kps": "80", "pain_nrs": "3",
        "ambulation": "independent", "implant_integrity": "not_applicable",
        "local_control": "not_assessed", "survival_status": "alive"})
    assert b"say which analgesics, or none" in page.content
    assert not FollowUpVisit.objects.filter(case=care_case).exists()


@pytest.mark.django_db
def test_the_case_page_draws_accessible_charts_with_a_table(client, care_case,
                                                            breast_surgeon) -> None:
    for on, pain in ((dt.date(2026, 1, 5), 7), (dt.date(2026, 2, 5), 3)):
        services.followup_create(case=care_case, actor=breast_surgeon, visit_date=on,
                                 frankel="E", kps=80, pain_nrs=pain, ambulation="independent",
                                 analgesics="non_opioid")
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk]))
    html = page.content.decode()
    svg = re.search(r'<figure class="trend-chart" id="trend-pain_nrs">(.*?)</figure>', html,
                    re.S).group(1)
    assert 'role="img"' in svg
    assert '<title id="trend-pain_nrs-title">Pain (NRS 0-10) over time</title>' in svg
    assert "2026-01-05 7, 2026-02-05 3" in svg  # the description reads the values out
    assert svg.count('class="trend-point"') == 2 and "<polyline" in svg
    assert "<table>" in svg and "<td>7</td>" in svg  # the table fallback
    assert '<strong class="trend-better">better</strong>' in svg
