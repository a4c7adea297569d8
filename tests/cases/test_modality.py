"""Imaging studies carry their modality; a Bilsky grade is read on MRI or CT myelography only
(CLINICAL.md §2: "Axial T2 MRI"), so a study on another modality has none and the lesion keeps
the grade of its last MRI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.evaluation import case_evaluation_request
from cases.models import LesionImaging
from tests.factories import STUDY, add_lesion, create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesion(breast_surgeon, breast_team, spine_team):
    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team)
    return add_lesion(case, actor=breast_surgeon, levels=["T9"], bilsky="2")


def test_a_study_without_a_modality_is_an_mri(lesion) -> None:
    assert lesion.imagings.get().modality == "mri"


def test_a_bilsky_grade_on_ct_is_refused_on_the_field_and_nothing_is_written(
    lesion, breast_surgeon
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                    **{**STUDY, "imaging_date": dt.date(2026, 2, 1),
                                       "modality": "ct", "bilsky": "2"})
    message = caught.value.message_dict["bilsky"][0]
    assert message.startswith("Bilsky grade needs MRI or CT myelography, not CT")
    assert lesion.imagings.count() == 1


@pytest.mark.parametrize("modality", ["pet_ct", "bone_scintigraphy", "radiograph"])
def test_no_modality_but_mri_and_ct_myelography_grades_bilsky(lesion, breast_surgeon,
                                                              modality) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                    **{**STUDY, "imaging_date": dt.date(2026, 2, 1),
                                       "modality": modality, "bilsky": "1a"})
    assert set(caught.value.message_dict) == {"bilsky"}


def test_an_mri_without_a_bilsky_grade_is_refused(lesion, breast_surgeon) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                    **{**STUDY, "imaging_date": dt.date(2026, 2, 1),
                                       "modality": "mri", "bilsky": ""})
    assert "give the Bilsky grade read on this MRI" in caught.value.message_dict["bilsky"][0]


def test_ct_myelography_grades_bilsky(lesion, breast_surgeon) -> None:
    study = services.lesion_imaging_add(
        lesion=lesion, actor=breast_surgeon,
        **{**STUDY, "imaging_date": dt.date(2026, 2, 1), "modality": "ct_myelography",
           "bilsky": "3"})
    assert (study.modality, study.bilsky) == ("ct_myelography", "3")


def test_a_ct_keeps_the_grade_of_the_last_mri_for_scoring(lesion, breast_surgeon) -> None:
    services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                **{**STUDY, "imaging_date": dt.date(2026, 2, 1),
                                   "modality": "ct", "bilsky": "", "collapse": "over_50"})
    row = case_evaluation_request(lesion.case)["lesions"][0]
    assert (row["bilsky"], row["collapse"]) == ("2", "over_50")
    # The collapse progressed within 6 weeks; the grade did not change (the CT cannot see it).
    page_case = lesion.case
    services.assessment_create(case=page_case, actor=breast_surgeon)
    page_case.refresh_from_db()
    assert page_case.latest_assessment.max_bilsky == "2"


def test_a_new_lesion_starts_from_an_mri_or_ct_myelography(lesion, breast_surgeon) -> None:
    with pytest.raises(ValidationError) as caught:
        add_lesion(lesion.case, actor=breast_surgeon, levels=["L2"], modality="pet_ct",
                   bilsky="")
    assert "a new lesion is entered from an MRI or a CT myelography" in (
        caught.value.message_dict["modality"][0])
    assert lesion.case.lesions.count() == 1


def test_the_database_refuses_a_bilsky_grade_on_a_radiograph(lesion, breast_surgeon) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LesionImaging.objects.create(lesion=lesion, recorded_by=breast_surgeon,
                                     **{**STUDY, "imaging_date": dt.date(2026, 3, 1),
                                        "modality": "radiograph", "bilsky": "1b"})


def test_the_form_says_what_grades_bilsky_and_refuses_it_on_ct(client: Client, lesion,
                                                               breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    url = reverse("cases:imaging-create", args=[lesion.case_id, lesion.pk])
    page = client.get(url).content.decode()
    assert "Needs MRI or CT myelography; leave empty for any other modality." in page
    assert '<option value="bone_scintigraphy">Bone scintigraphy</option>' in page
    response = client.post(url, {**STUDY, "imaging_date": "2026-02-01", "modality": "ct",
                                 "bilsky": "2"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["bilsky"]
    assert "Bilsky grade needs MRI or CT myelography, not CT" in response.content.decode()
    assert lesion.imagings.count() == 1


def test_the_new_lesion_form_offers_only_modalities_that_grade_bilsky(
    client: Client, lesion, breast_surgeon
) -> None:
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:lesion-create", args=[lesion.case_id])).content.decode()
    assert '<option value="ct_myelography">CT myelography</option>' in page
    assert 'value="pet_ct"' not in page


def test_the_case_page_shows_the_modality_of_each_study(client: Client, lesion,
                                                       breast_surgeon) -> None:
    services.lesion_imaging_add(lesion=lesion, actor=breast_surgeon,
                                **{**STUDY, "imaging_date": dt.date(2026, 2, 1),
                                   "modality": "pet_ct", "bilsky": ""})
    client.force_login(breast_surgeon)
    response = client.get(reverse("cases:case-detail", args=[lesion.case_id]))
    page = response.content.decode()
    assert "<td>MRI</td>" in page and "<td>PET-CT</td>" in page
    assert "not graded on PET-CT" in page
    # The spine drawing keeps the grade of the last MRI beside the lesion.
    assert [mark.bilsky for mark in response.context["spine"].marks] == ["2"]


def test_the_api_takes_and_shows_the_modality(lesion, breast_surgeon) -> None:
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case-lesions", args=[lesion.case_id])
    body = {**STUDY, "imaging_date": "2026-02-01", "lesion_id": lesion.pk,
            "modality": "bone_scintigraphy", "bilsky": "2"}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400 and "bilsky" in refused.json()
    accepted = api.post(url, {**body, "bilsky": ""}, format="json")
    assert accepted.status_code == 201, accepted.content[:300]
    studies = accepted.json()["imagings"]
    assert [(s["modality"], s["bilsky"]) for s in studies] == [("mri", "2"),
                                                               ("bone_scintigraphy", "")]
