"""REST API of the cases app: behaviour, errors (400/409), pagination, filters, concurrency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Assessment, AuditEvent, Case, LesionImaging, Patient, SpinalLesion
from cases.timeline import Phase
from tests.factories import STUDY

pytestmark = pytest.mark.django_db

NEW_PATIENT = {"mrn": "API-0001", "given_name": "Canary", "family_name": "Testperson",
               "birth_date": "1970-05-01", "sex": "female"}


def case_url(case: Case, suffix: str = "") -> str:
    name = f"api-case-{suffix}" if suffix else "api-case"
    return reverse(name, args=[case.pk])


def study_json(**overrides: object) -> dict:
    body = {**STUDY, **overrides}
    body["imaging_date"] = str(body["imaging_date"])
    return body


def test_token_is_issued_for_good_credentials_and_refused_with_field_errors(
    api_client, breast_surgeon
) -> None:
    url = reverse("api-auth-token")
    ok = api_client.post(url, {"username": "alice", "password": "correct-horse-battery"},
                         format="json")
    assert ok.status_code == 201 and ok.json()["token"].startswith("tb_")
    bad = api_client.post(url, {"username": "alice", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and "non_field_errors" in bad.json()
    missing = api_client.post(url, {}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"username", "password"}


def test_token_authenticates_the_case_list(api_client, care_case, breast_surgeon) -> None:
    token = api_client.post(reverse("api-auth-token"),
                            {"username": "alice", "password": "correct-horse-battery"},
                            format="json").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get(reverse("api-cases"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [care_case.pk]


def test_anonymous_gets_401_or_403_never_data(api_client, care_case) -> None:
    assert api_client.get(reverse("api-cases")).status_code in (401, 403)
    assert api_client.get(case_url(care_case)).status_code in (401, 403)


def test_create_case_with_a_new_patient(api_client, breast_surgeon, breast_team, spine_team):
    api_client.force_authenticate(breast_surgeon)
    body = {"patient": NEW_PATIENT, "primary_status": "known_breast", "breast_team": breast_team.pk,
            "spine_team": spine_team.pk, "er": True, "pr": False, "her2": False, "ki67": 30}
    response = api_client.post(reverse("api-cases"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["phase"] == "initial_diagnosis"
    assert data["clinical"]["subtype"] == "luminal_b"
    assert data["open_referrals"] == [] and data["next_meeting"] is None
    assert data["last_decision"] is None
    assert Patient.objects.get(mrn="API-0001").created_by == breast_surgeon


def test_create_case_bad_input_is_400_naming_fields_and_saves_nothing(
    api_client, breast_surgeon, breast_team
) -> None:
    api_client.force_authenticate(breast_surgeon)
    body = {"patient": {**NEW_PATIENT, "birth_date": "not-a-date"}, "primary_status": "maybe",
            "breast_team": breast_team.pk, "kps": 85, "ecog": 9}
    response = api_client.post(reverse("api-cases"), body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"patient", "primary_status", "kps", "ecog"} <= set(errors)
    assert Patient.objects.count() == 0 and Case.objects.count() == 0


def test_duplicate_mrn_is_400_and_leaves_nothing_behind(
    api_client, breast_surgeon, breast_team
) -> None:
    api_client.force_authenticate(breast_surgeon)
    body = {"patient": NEW_PATIENT, "primary_status": "known_breast",
            "breast_team": breast_team.pk}
    assert api_client.post(reverse("api-cases"), body, format="json").status_code == 201
    again = api_client.post(reverse("api-cases"), body, format="json")
    assert again.status_code == 400
    assert "patient.mrn" in again.json()
    assert "API-0001" not in again.content.decode()
    assert Case.objects.count() == 1


def test_a_case_whose_team_excludes_the_creator_is_refused(
    api_client, breast_surgeon, outsider
) -> None:
    api_client.force_authenticate(outsider)
    body = {"patient": NEW_PATIENT, "primary_status": "known_breast",
            "breast_team": breast_surgeon.teams.get().pk}
    response = api_client.post(reverse("api-cases"), body, format="json")
    assert response.status_code == 400 and "breast_team" in response.json()
    assert Patient.objects.count() == 0


def test_patch_with_current_version_changes_the_case_and_bumps_the_version(
    api_client, care_case, neurosurgeon
) -> None:
    api_client.force_authenticate(neurosurgeon)
    response = api_client.patch(case_url(care_case), {"version": care_case.version, "kps": 60,
                                                      "frankel": "D",
                                                      "deficit_onset_unknown": True},
                                  format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == care_case.version + 1
    care_case.refresh_from_db()
    assert (care_case.kps, care_case.frankel) == (60, "D")


def test_patch_with_a_stale_version_is_409_and_loses_no_update(
    api_client, care_case, neurosurgeon, breast_surgeon
) -> None:
    read = care_case.version
    api_client.force_authenticate(breast_surgeon)
    assert api_client.patch(case_url(care_case), {"version": read, "kps": 70},
                            format="json").status_code == 200
    api_client.force_authenticate(neurosurgeon)
    stale = api_client.patch(case_url(care_case), {"version": read, "kps": 40}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == read + 1
    care_case.refresh_from_db()
    assert care_case.kps == 70


def test_patch_accepts_if_match_and_requires_a_version(api_client, care_case, neurosurgeon):
    api_client.force_authenticate(neurosurgeon)
    missing = api_client.patch(case_url(care_case), {"kps": 60}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    ok = api_client.patch(case_url(care_case), {"kps": 60}, format="json",
                          HTTP_IF_MATCH=f'"{care_case.version}"')
    assert ok.status_code == 200


def test_patch_cannot_move_the_phase(api_client, care_case, neurosurgeon) -> None:
    api_client.force_authenticate(neurosurgeon)
    response = api_client.patch(case_url(care_case), {"version": care_case.version,
                                                      "phase": "surgery"}, format="json")
    care_case.refresh_from_db()
    assert care_case.phase == Phase.INITIAL_DIAGNOSIS
    assert response.status_code in (200, 400)


def test_add_lesion_then_serial_imaging_detects_progression_within_6_weeks(
    api_client, care_case, neurosurgeon
) -> None:
    api_client.force_authenticate(neurosurgeon)
    url = case_url(care_case, "lesions")
    created = api_client.post(url, {"levels": ["L2", "L1"], **study_json(
        imaging_date="2026-02-01", collapse="none", bilsky="0")}, format="json")
    assert created.status_code == 201, created.json()
    lesion = created.json()
    assert lesion["levels"] == ["L1", "L2"] and lesion["label"] == "L1-L2"
    assert lesion["progressed_within_6_weeks"] is False
    later = api_client.post(url, {"lesion_id": lesion["id"], **study_json(
        imaging_date="2026-03-05", collapse="over_50", bilsky="2")}, format="json")
    assert later.status_code == 201, later.json()
    assert later.json()["progressed_within_6_weeks"] is True
    assert len(later.json()["imagings"]) == 2


def test_lesion_bad_input_is_400_and_saves_nothing(api_client, care_case, neurosurgeon) -> None:
    api_client.force_authenticate(neurosurgeon)
    before = (SpinalLesion.objects.count(), LesionImaging.objects.count())
    url = case_url(care_case, "lesions")
    bad = api_client.post(url, {"levels": ["Co1"], **study_json(bilsky="4", pain="severe")},
                          format="json")
    assert bad.status_code == 400 and {"levels", "bilsky", "pain"} <= set(bad.json())
    future = api_client.post(url, {"levels": ["T9"], **study_json(imaging_date="2999-01-01")},
                             format="json")
    assert future.status_code == 400 and "imaging_date" in future.json()
    same_day = api_client.post(url, {"lesion_id": care_case.lesions.get().pk, **study_json()},
                               format="json")
    assert same_day.status_code == 400 and "imaging_date" in same_day.json()
    other = api_client.post(url, {"lesion_id": 999999, **study_json(imaging_date="2026-01-09")},
                            format="json")
    assert other.status_code == 400 and "lesion_id" in other.json()
    assert (SpinalLesion.objects.count(), LesionImaging.objects.count()) == before


def test_assessment_is_stored_with_its_inputs_and_updates_the_case_status(
    api_client, care_case, breast_surgeon
) -> None:
    api_client.force_authenticate(breast_surgeon)
    response = api_client.post(case_url(care_case, "assessments"), {}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["max_sins"] == 9 and data["urgency"] == "green" and data["pathway"] == "cebrt"
    assert data["inputs"]["patient"]["primary_site"] == "breast"
    status = api_client.get(case_url(care_case)).json()
    assert status["latest_assessment"]["id"] == data["id"]
    assert status["urgency"] == "green"


def test_assessment_with_missing_inputs_is_400_naming_the_case_fields(
    api_client, breast_surgeon, breast_team
) -> None:
    from tests.factories import create_case

    case = create_case(actor=breast_surgeon, breast_team=breast_team, kps=None, frankel="")
    api_client.force_authenticate(breast_surgeon)
    response = api_client.post(case_url(case, "assessments"), {}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"kps", "frankel", "lesions"} <= set(errors), errors
    assert not any(key.startswith("patient.") for key in errors)
    assert Assessment.objects.count() == 0


def test_transition_moves_the_phase_and_a_forbidden_one_is_409_with_allowed_moves(
    api_client, care_case, breast_surgeon
) -> None:
    api_client.force_authenticate(breast_surgeon)
    url = case_url(care_case, "transitions")
    ok = api_client.post(url, {"to_phase": "spine_metastasis_detection",
                               "reason": "T7 lesion on PET-CT"}, format="json")
    assert ok.status_code == 201 and ok.json()["from_phase"] == "initial_diagnosis"
    refused = api_client.post(url, {"to_phase": "surgery", "reason": "skip"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["allowed_moves"] == ["mdt_tumor_board"]
    bad = api_client.post(url, {"to_phase": "theatre"}, format="json")
    assert bad.status_code == 400 and {"to_phase", "reason"} <= set(bad.json())


def test_timeline_lists_each_stay_with_its_checklist(api_client, care_case, breast_surgeon):
    from cases import services

    services.duty_tick(case=care_case, event=care_case.current_event,
                       duty_code="staging_workup", actor=breast_surgeon)
    api_client.force_authenticate(breast_surgeon)
    stays = api_client.get(case_url(care_case, "timeline")).json()
    assert len(stays) == 1 and stays[0]["event"]["to_phase"] == "initial_diagnosis"
    done = {item["code"]: item["done"] for item in stays[0]["checklist"]}
    assert done["staging_workup"] is True and done["primary_resection"] is False


def test_pre_operative_case_status_shows_the_surgical_timing_checks(
    api_client, care_case, breast_surgeon
) -> None:
    from cases import services

    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None,
                         anc_per_mm3=1200, anc_date=dt.date(2026, 1, 3), cdk46_inhibitor=True)
    Case.objects.filter(pk=care_case.pk).update(phase=Phase.MDT_TUMOR_BOARD)
    services.case_transition(case=care_case, to_phase=Phase.PRE_OPERATIVE, reason="surgery",
                             actor=breast_surgeon)
    api_client.force_authenticate(breast_surgeon)
    checks = api_client.get(case_url(care_case)).json()["timing_checks"]
    codes = {check["code"]: check["severity"] for check in checks}
    assert codes["anc_at_or_below_1500"] == "block"
    assert codes["cdk46_inhibitor"] == "warning"


def test_list_filters_by_phase_urgency_and_updated_since(
    api_client, care_case, breast_surgeon, breast_team
) -> None:
    from cases import services
    from tests.factories import create_case

    other = create_case(actor=breast_surgeon, breast_team=breast_team)
    services.assessment_create(case=care_case, actor=breast_surgeon)
    services.case_transition(case=other, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                             reason="x", actor=breast_surgeon)
    api_client.force_authenticate(breast_surgeon)
    url = reverse("api-cases")

    def ids(**params: str) -> set[int]:
        response = api_client.get(url, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(phase="spine_metastasis_detection") == {other.pk}
    assert ids(urgency="green") == {care_case.pk}
    assert ids(updated_since="2000-01-01T00:00:00Z") == {care_case.pk, other.pk}
    assert ids(updated_since="2999-01-01T00:00:00Z") == set()
    bad = api_client.get(url, {"updated_since": "yesterday", "phase": "nowhere"})
    assert bad.status_code == 400 and {"updated_since", "phase"} <= set(bad.json())


def test_list_is_paginated(api_client, care_case, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    data = api_client.get(reverse("api-cases")).json()
    assert set(data) == {"next", "poll", "results"}  # cursor pagination (tumorboard.pagination)


def test_the_openapi_schema_builds(api_client, breast_surgeon) -> None:
    api_client.force_authenticate(breast_surgeon)
    response = api_client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/cases/{case_id}/transitions/" in response.content


def test_a_list_read_is_one_audit_row_with_the_case_ids(api_client, care_case, neurosurgeon):
    api_client.force_authenticate(neurosurgeon)
    api_client.get(reverse("api-cases"))
    row = AuditEvent.objects.get(action="list")
    assert row.case_ids == [care_case.pk] and row.actor == neurosurgeon
