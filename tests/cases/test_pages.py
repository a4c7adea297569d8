"""Case pages: the flows a surgeon goes through; bad input shows errors and saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Assessment, Case, FollowUpVisit, LesionImaging, Patient, SpinalLesion
from cases.timeline import Phase

pytestmark = pytest.mark.django_db

PATIENT_FORM = {"mrn": "PG-1", "given_name": "Page", "family_name": "Person",
                "birth_date": "1965-02-03", "sex": "female"}
STUDY_FORM = {"imaging_date": "2026-01-10", "pain": "mechanical", "bone_lesion": "lytic",
              "alignment": "normal", "collapse": "under_50", "posterolateral": "unilateral",
              "bilsky": "2"}


def test_a_breast_surgeon_registers_a_patient_then_opens_the_case(
    client: Client, breast_surgeon, breast_team, spine_team
) -> None:
    client.force_login(breast_surgeon)
    response = client.post(reverse("cases:patient-create"), PATIENT_FORM)
    patient = Patient.objects.get(mrn="PG-1")
    assert response.status_code == 302
    assert response.url == reverse("cases:case-create", args=[patient.pk])
    response = client.post(response.url, {
        "phase": "initial_diagnosis", "primary_status": "known_breast", "er": "true",
        "pr": "true", "her2": "false", "ki67": "12", "kps": "80", "frankel": "E",
        "breast_team": breast_team.pk, "spine_team": spine_team.pk,
        "extraspinal_bone_metastases": "0", "vertebral_metastases": "1",
        "visceral_metastases": "none",
    })
    case = Case.objects.get(patient=patient)
    assert response.status_code == 302 and response.url == reverse("cases:case-detail",
                                                                    args=[case.pk])
    assert case.subtype == "luminal_a"
    page = client.get(response.url).content.decode()
    assert "No referral yet" in page and "Not yet discussed at an MDT" in page


def test_the_patient_form_shows_errors_and_saves_nothing(client: Client, breast_surgeon):
    client.force_login(breast_surgeon)
    response = client.post(reverse("cases:patient-create"),
                           {**PATIENT_FORM, "birth_date": "2999-01-01", "sex": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"birth_date", "sex"}
    assert not Patient.objects.exists()


def test_a_duplicate_mrn_is_a_form_error(client: Client, breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    client.post(reverse("cases:patient-create"), PATIENT_FORM)
    response = client.post(reverse("cases:patient-create"), PATIENT_FORM)
    assert "mrn" in response.context["form"].errors
    assert Patient.objects.count() == 1


def test_the_case_form_shows_errors_and_saves_nothing(
    client: Client, breast_surgeon, outsider
) -> None:
    client.force_login(breast_surgeon)
    client.post(reverse("cases:patient-create"), PATIENT_FORM)
    patient = Patient.objects.get()
    url = reverse("cases:case-create", args=[patient.pk])
    response = client.post(url, {"phase": "surgery", "primary_status": "known_breast",
                                 "kps": "85", "ecog": "7"})
    errors = response.context["form"].errors
    assert {"phase", "kps", "ecog"} <= set(errors)
    other_team = outsider.teams.get()
    response = client.post(url, {"phase": "initial_diagnosis", "primary_status": "known_breast",
                                 "breast_team": other_team.pk})
    assert "breast_team" in response.context["form"].errors
    assert not Case.objects.exists()


def test_edit_with_a_stale_version_is_refused_on_the_form(
    client: Client, care_case, breast_surgeon, neurosurgeon
) -> None:
    client.force_login(neurosurgeon)
    url = reverse("cases:case-edit", args=[care_case.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items()
            if value is not None and name != "oncologists"}
    data["breast_team"], data["spine_team"] = care_case.breast_team_id, care_case.spine_team_id
    data["mdt_team"] = care_case.mdt_team_id
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None, kps=60)
    response = client.post(url, {**data, "kps": "40"})
    assert response.status_code == 200
    assert "reload" in str(response.context["form"].non_field_errors())
    care_case.refresh_from_db()
    assert care_case.kps == 60


def test_a_lesion_and_a_second_study_are_added_through_the_pages(
    client: Client, care_case, neurosurgeon
) -> None:
    client.force_login(neurosurgeon)
    response = client.post(reverse("cases:lesion-create", args=[care_case.pk]),
                           {**STUDY_FORM, "levels": "t11, t12"})
    assert response.status_code == 302
    lesion = SpinalLesion.objects.get(label="T11-T12")
    response = client.post(reverse("cases:imaging-create", args=[care_case.pk, lesion.pk]),
                           {**STUDY_FORM, "imaging_date": "2026-02-01", "collapse": "over_50"})
    assert response.status_code == 302
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "progressed within 6 weeks" in page


def test_the_lesion_form_shows_errors_and_saves_nothing(client: Client, care_case, neurosurgeon):
    client.force_login(neurosurgeon)
    before = LesionImaging.objects.count()
    response = client.post(reverse("cases:lesion-create", args=[care_case.pk]),
                           {**STUDY_FORM, "levels": "Co1", "bilsky": "9"})
    assert {"levels", "bilsky"} <= set(response.context["form"].errors)
    response = client.post(reverse("cases:lesion-create", args=[care_case.pk]),
                           {**STUDY_FORM, "levels": "T7"})  # the label T7 exists already
    assert "label" in response.context["form"].errors
    assert LesionImaging.objects.count() == before


def test_assessment_page_stores_a_run_or_lists_the_missing_case_fields(
    client: Client, care_case, breast_surgeon
) -> None:
    client.force_login(breast_surgeon)
    url = reverse("cases:assessment-create", args=[care_case.pk])
    automatic = Assessment.objects.filter(case=care_case).count()  # kept current by the writes
    assert client.post(url).status_code == 302
    assert Assessment.objects.filter(case=care_case).count() == automatic + 1
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None, kps=None)
    care_case.refresh_from_db()
    assert care_case.latest_assessment is None  # no score shown for inputs it cannot score
    response = client.post(url)
    assert response.status_code == 400 and "kps" in response.context["errors"]
    assert Assessment.objects.filter(case=care_case).count() == automatic + 1


def test_the_phase_form_offers_only_allowed_moves_and_records_the_reason(
    client: Client, care_case, breast_surgeon
) -> None:
    client.force_login(breast_surgeon)
    url = reverse("cases:transition-create", args=[care_case.pk])
    choices = [value for value, _ in client.get(url).context["form"].fields["to_phase"].choices]
    assert choices == ["spine_metastasis_detection"]
    response = client.post(url, {"to_phase": "surgery", "reason": "skip"})
    assert "to_phase" in response.context["form"].errors
    response = client.post(url, {"to_phase": "spine_metastasis_detection", "reason": ""})
    assert "reason" in response.context["form"].errors
    client.post(url, {"to_phase": "spine_metastasis_detection", "reason": "PET-CT T7"})
    care_case.refresh_from_db()
    assert care_case.phase == Phase.SPINE_METASTASIS_DETECTION
    assert care_case.current_event.reason == "PET-CT T7"


def test_entering_pre_operative_shows_the_surgical_timing_checks(
    client: Client, care_case, breast_surgeon
) -> None:
    import datetime as dt

    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                         bone_modifying_agent="denosumab",
                         bone_agent_last_dose=dt.date.today() - dt.timedelta(days=7))
    Case.objects.filter(pk=care_case.pk).update(phase=Phase.MDT_TUMOR_BOARD)
    services.case_transition(case=care_case, to_phase=Phase.PRE_OPERATIVE, reason="surgery",
                             actor=breast_surgeon)
    client.force_login(breast_surgeon)
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "Surgical timing checks" in page and "denosumab dose" in page


def test_ticking_a_duty_on_the_page_shows_who_ticked_it(client: Client, care_case, neurosurgeon):
    client.force_login(neurosurgeon)
    url = reverse("cases:duty-tick", args=[care_case.pk, care_case.current_event_id,
                                           "neuro_review_if_symptomatic"])
    assert client.post(url).status_code == 302
    page = client.get(reverse("cases:case-detail", args=[care_case.pk])).content.decode()
    assert "☑" in page and neurosurgeon.display_name in page


def test_follow_up_visits_show_as_a_trend_that_both_surgeons_see(
    client: Client, care_case, breast_surgeon, neurosurgeon
) -> None:
    url = reverse("cases:followup-create", args=[care_case.pk])
    client.force_login(neurosurgeon)
    visit = {"visit_date": "2026-03-01", "frankel": "D", "kps": "60", "pain_nrs": "7",
             "ambulation": "with_aid", "analgesics": "weak_opioid", "qlq_c30_global": "40",
             "implant_integrity": "intact", "local_control": "controlled",
             "survival_status": "alive"}
    assert client.post(url, visit).status_code == 302
    client.force_login(breast_surgeon)
    assert client.post(url, {**visit, "visit_date": "2026-05-01", "frankel": "E", "kps": "80",
                             "pain_nrs": "2", "qlq_c30_global": "70"}).status_code == 302
    bad = client.post(url, {**visit, "pain_nrs": "11", "kps": "", "ecog": ""})
    assert {"pain_nrs", "kps"} <= set(bad.context["form"].errors)
    assert FollowUpVisit.objects.count() == 2
    for person in (breast_surgeon, neurosurgeon):
        client.force_login(person)
        response = client.get(reverse("cases:case-detail", args=[care_case.pk]))
        trends = {trend.label: trend.verdict for trend in response.context["trends"]}
        assert trends["Pain (NRS)"] == "better" and trends["KPS"] == "better"
        assert trends["Frankel grade"] == "better"


def test_home_pages_list_the_teams_cases(client: Client, care_case, breast_surgeon,
                                         neurosurgeon) -> None:
    for person, url in ((breast_surgeon, "home-breast"), (neurosurgeon, "home-neuro")):
        client.force_login(person)
        page = client.get(reverse(url)).content.decode()
        assert f'href="/cases/{care_case.pk}/"' in page
