"""A superuser's repair of a clinical input in the admin rescores the case, as the pages do
(issue 17: the assessment is always current, whatever made the change)."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from cases.models import Case, LesionImaging
from tests.factories import add_lesion, create_case


def _form_data(obj: Any, **changes: Any) -> dict[str, Any]:
    data = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None or value is False:
            continue  # empty field, unticked box
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return {**data, "_save": "Save"}


@pytest.mark.django_db
def test_an_admin_repair_of_a_study_rescores_the_case(client, breast_surgeon, teams,
                                                      admin_person) -> None:
    case = create_case(actor=breast_surgeon, **teams)
    add_lesion(case, actor=breast_surgeon, levels=["T7"])
    case.refresh_from_db()
    before = case.latest_assessment
    assert before is not None and before.max_bilsky == "1b"
    study = LesionImaging.objects.get(lesion__case=case)

    client.force_login(admin_person)
    answer = client.post(reverse("admin:cases_lesionimaging_change", args=[study.pk]),
                         _form_data(study, bilsky="3"))
    assert answer.status_code == 302, answer.content.decode()[:2000]

    case = Case.objects.get(pk=case.pk)
    assert case.latest_assessment_id != before.pk
    assert case.latest_assessment.max_bilsky == "3"
    assert case.latest_assessment.pathway == "separation_surgery_srs"  # CLINICAL.md §7, rule 3
    before.refresh_from_db()
    assert before.max_bilsky == "1b"  # what was seen before stays as it was
