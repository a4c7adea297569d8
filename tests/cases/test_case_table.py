"""The case table's rows, built in Python (cases/templatetags/case_table.py, issue 22), are the
markup the template loop wrote: compared here with that loop, rendered by the template engine,
for scored and unscored cases, with and without urgency, in the person's time zone, with
names that carry markup (escaped)."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from cases import selectors, services
from cases.models import Case
from tests.factories import PatientFactory, add_lesion, create_case

pytestmark = pytest.mark.django_db

#: The loop the template held before (templates/cases/_case_table.html, session 7).
TEMPLATE_LOOP = Template("""{% load tb %}{% for case, next_step in rows %}
    <tr>
      <td><a href="{% url 'cases:case-detail' case.pk %}">{{ case.patient.family_name }}, {{ case.patient.given_name }}</a> <span class="muted">case #{{ case.pk }}</span></td>
      <td class="nowrap">{{ case.patient.mrn }}</td>
      <td>{{ case.get_phase_display }}</td>
      <td>{% if case.latest_assessment %}{{ case.latest_assessment.max_sins }}{% else %}<span class="muted">not scored</span>{% endif %}</td>
      <td>{% if case.urgency %}{% urgency_badge case.urgency short=True %}{% else %}<span class="muted">none</span>{% endif %}</td>
      <td>{{ next_step }}</td>
      <td class="nowrap">{{ case.updated_at|date:"Y-m-d H:i" }}</td>
    </tr>
  {% endfor %}""")  # noqa: E501
PYTHON_ROWS = Template("{% load case_table %}{% case_rows rows %}")


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_rows_match_the_template_loop(breast_surgeon, breast_team, spine_team) -> None:
    plain = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    hostile = create_case(
        actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
        patient=PatientFactory(family_name="<b>O'Neil</b>", given_name="A&B",
                               institution=breast_surgeon.institution),
        neurological_deficit=True)
    add_lesion(hostile, actor=breast_surgeon, bilsky="2")
    services.assessment_create(case=hostile, actor=breast_surgeon)
    cases = list(selectors.case_list_for_display(user=breast_surgeon))
    assert {case.pk for case in cases} == {plain.pk, hostile.pk}
    rows = selectors.case_next_steps(cases, breast_surgeon.role)
    # The loop renders whole cases, read as any model instance (the list reads values).
    whole = Case.objects.select_related("patient", "latest_assessment").in_bulk()
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")):
        ours = PYTHON_ROWS.render(Context({"rows": rows}))
        loop = TEMPLATE_LOOP.render(Context({"rows": [(whole[case.pk], step)
                                                      for case, step in rows]}))
    assert _tight(ours) == _tight(loop)
    assert "&lt;b&gt;O&#x27;Neil&lt;/b&gt;, A&amp;B" in ours and "<b>" not in ours
    assert "not scored" in ours and "badge urgency-" in ours
    local = timezone.localtime(plain.updated_at, zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert local.strftime("%Y-%m-%d %H:%M") in ours


def test_the_list_api_rows_are_drfs_own_walk_over_the_fields(
        rf, breast_surgeon, breast_team, spine_team) -> None:
    """CaseListSerializer writes its rows out by hand (issue 22); DRF's generic walk over the
    same fields is the oracle, for scored and unscored cases, in a time zone other than UTC."""
    from rest_framework import serializers as drf

    from cases.serializers import CaseListSerializer

    plain = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    scored = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                         neurological_deficit=True)
    add_lesion(scored, actor=breast_surgeon, bilsky="2")
    services.assessment_create(case=scored, actor=breast_surgeon)
    request = rf.get("/api/v1/cases/")
    request.user = breast_surgeon
    serializer = CaseListSerializer(context={"request": request})
    cases = list(selectors.case_list_for_display(user=breast_surgeon))
    assert {case.pk for case in cases} == {plain.pk, scored.pk}
    # The oracle walks whole cases, read as any model instance (the list reads values).
    whole = Case.objects.select_related("patient", "latest_assessment").in_bulk()
    with timezone.override(zoneinfo.ZoneInfo("America/Sao_Paulo")):
        for case in cases:
            ours = serializer.to_representation(case)
            walked = drf.ModelSerializer.to_representation(serializer, whole[case.pk])
            assert ours == dict(walked)
            assert list(ours) == list(walked)  # the same keys in the same order
    by_id = {case.pk: serializer.to_representation(case) for case in cases}
    assert by_id[plain.pk]["latest_sins"] is None and by_id[plain.pk]["urgency"] is None
    assert by_id[scored.pk]["latest_bilsky"] == "2"
