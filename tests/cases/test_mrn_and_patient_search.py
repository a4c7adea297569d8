"""One patient per MRN and institution whatever the case of its letters; a registered patient
without a case is found by the search and offered when the MRN is typed again, to whom may see
them (the patient's registrar, or the care teams of their cases)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Patient
from tests.factories import create_case

pytestmark = pytest.mark.django_db

PATIENT = {"mrn": "DEMO-1001", "given_name": "Maren", "family_name": "Holloway",
           "birth_date": dt.date(1968, 3, 14), "sex": "female"}
FORM = {**PATIENT, "birth_date": "1968-03-14"}


def test_the_same_mrn_in_lower_case_is_the_same_patient(breast_surgeon) -> None:
    first = services.patient_create(actor=breast_surgeon, **PATIENT)
    with pytest.raises(services.MrnTaken) as caught:
        services.patient_create(actor=breast_surgeon, **{**PATIENT, "mrn": " demo-1001 "})
    assert caught.value.patient_id == first.pk
    assert caught.value.message_dict == {
        "mrn": ["a patient with this MRN is already registered in your institution"]}
    assert Patient.objects.count() == 1


def test_the_database_refuses_an_mrn_differing_only_in_case(breast_surgeon) -> None:
    first = services.patient_create(actor=breast_surgeon, **PATIENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(**{**PATIENT, "mrn": "Demo-1001"},
                               institution_id=first.institution_id)


def test_registering_a_known_mrn_offers_the_patient_with_a_link(client: Client,
                                                                breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    assert client.post(reverse("cases:patient-create"), FORM).status_code == 302
    patient = Patient.objects.get()
    response = client.post(reverse("cases:patient-create"), {**FORM, "mrn": "demo-1001",
                                                              "given_name": "M."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This MRN is already registered: open a case for the patient below." in page
    assert "Holloway, Maren" in page
    link = reverse("cases:case-create", args=[patient.pk])
    assert f'href="{link}">Open a case for this patient</a>' in page
    assert Patient.objects.count() == 1


def test_the_offer_lists_the_cases_the_person_sees(client: Client, breast_surgeon, breast_team,
                                                   spine_team) -> None:
    patient = services.patient_create(actor=breast_surgeon, **PATIENT)
    case = create_case(actor=breast_surgeon, patient=patient, breast_team=breast_team,
                       spine_team=spine_team)
    client.force_login(breast_surgeon)
    page = client.post(reverse("cases:patient-create"), {**FORM, "mrn": "demo-1001"})
    assert f'href="{reverse("cases:case-detail", args=[case.pk])}">case #{case.pk}</a>' in (
        page.content.decode())


def test_someone_who_may_not_see_the_patient_learns_only_that_the_mrn_is_taken(
    client: Client, breast_surgeon, outsider
) -> None:
    services.patient_create(actor=breast_surgeon, **PATIENT)
    client.force_login(outsider)
    page = client.post(reverse("cases:patient-create"), {
        **FORM, "mrn": "demo-1001", "given_name": "Other", "family_name": "Person"})
    text = page.content.decode()
    assert ("This MRN is already registered, with a care team you are not part of: ask the MDT "
            "coordinator to add you to it.") in text
    assert "Holloway" not in text and "Maren" not in text
    assert "Open a case for this patient" not in text
    assert Patient.objects.count() == 1


def test_a_patient_without_a_case_is_found_by_the_search(client: Client,
                                                         breast_surgeon) -> None:
    patient = services.patient_create(actor=breast_surgeon, **PATIENT)
    client.force_login(breast_surgeon)
    for query in ("demo-10", "hollo", "maren holloway"):
        response = client.get(reverse("cases:case-list"), {"q": query})
        assert [p.pk for p in response.context["patients_without_case"]] == [patient.pk], query
    page = client.get(reverse("cases:case-list"), {"q": "hollo"}).content.decode()
    assert "Registered patients without a case" in page
    assert f'href="{reverse("cases:case-create", args=[patient.pk])}"' in page
    assert client.get(reverse("cases:case-list"),
                      {"q": "nobody"}).context["patients_without_case"] == []


def test_a_patient_with_a_case_is_listed_as_a_case_not_twice(
    client: Client, breast_surgeon, breast_team, spine_team
) -> None:
    patient = services.patient_create(actor=breast_surgeon, **PATIENT)
    create_case(actor=breast_surgeon, patient=patient, breast_team=breast_team,
                spine_team=spine_team)
    client.force_login(breast_surgeon)
    response = client.get(reverse("cases:case-list"), {"q": "hollo"})
    assert response.context["patients_without_case"] == []
    assert [case.patient_id for case, _ in response.context["rows"]] == [patient.pk]


@pytest.mark.parametrize("who", ["outsider", "coordinator", "neurosurgeon"])
def test_others_do_not_find_a_patient_they_may_not_see(
    client: Client, breast_surgeon, who, request
) -> None:
    services.patient_create(actor=breast_surgeon, **PATIENT)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("cases:case-list"), {"q": "hollo"})
    assert response.context["patients_without_case"] == []
    assert "Holloway" not in response.content.decode()
