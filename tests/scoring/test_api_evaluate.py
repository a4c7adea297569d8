"""POST /api/v1/scores/evaluate/: the contract other hospital systems call."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework.test import APIClient

URL = "/api/v1/scores/evaluate/"

REQUEST: dict[str, Any] = {
    "patient": {
        "primary_site": "breast",
        "receptors": {"er": True, "pr": False, "her2": False, "ki67": 12},
        "kps": 80,
        "frankel": "E",
        "neurological_deficit": False,
        "extraspinal_bone_metastases": 0,
        "vertebral_metastases": 2,
        "visceral_metastases": "none",
        "new_patient": False,
        "new_or_progressive_back_pain": False,
        "ambulatory": True,
        "albumin_g_dl": 3.8,
    },
    "lesions": [{
        "levels": ["T11", "T12"], "pain": "mechanical", "bone_lesion": "lytic",
        "alignment": "normal", "collapse": "under_50", "posterolateral": "unilateral",
        "bilsky": "1b", "progressed_within_6_weeks": False, "progressed_after_radiation": False,
    }],
}


@pytest.fixture
def api(breast_surgeon) -> APIClient:
    client = APIClient()
    client.force_authenticate(breast_surgeon)
    return client


def body(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(REQUEST)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return data


@pytest.mark.django_db
def test_evaluate_answers_the_contract_and_stores_nothing(
    api: APIClient, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = api.post(URL, REQUEST, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert set(data) == {
        "rules_version", "subtype", "lesions", "tokuhashi", "tomita", "modified_bauer", "nesms",
        "noms", "triggers", "urgency", "due_within_hours", "timing", "candidacy",
    }
    assert data["subtype"] == "luminal_a"
    lesion = data["lesions"][0]
    assert lesion["levels"] == ["T11", "T12"]
    assert lesion["sins"]["total"] == 11 and lesion["sins"]["band"] == "indeterminate"
    assert lesion["sins"]["components"] == {
        "location": 3, "pain": 3, "bone_lesion": 2, "alignment": 0, "collapse": 2,
        "posterolateral": 1,
    }
    assert lesion["bilsky"] == {"grade": "1b", "high_grade": False, "epidural_extension": True}
    assert data["tokuhashi"]["total"] == 14
    assert data["tokuhashi"]["survival"] == "1_year_or_more"
    assert data["tokuhashi"]["kps_from_ecog"] is False
    assert data["tokuhashi"]["modified_2014_total"] is None
    assert data["tomita"]["total"] == 3 and data["tomita"]["goal"] == "long_term_local_control"
    assert data["modified_bauer"]["total"] == 3
    assert data["nesms"]["total"] == 3  # Bauer >= 3: 2, ambulatory: 1, albumin 3.8: 1, cap 3
    noms = data["noms"]
    assert (noms["neurological"], noms["oncological"], noms["mechanical"], noms["systemic"]) == (
        "low_grade", "radiosensitive", "potentially_unstable", "fit")
    assert noms["pathway"] == "cebrt" and noms["stabilisation_required"] is False
    assert [t["code"] for t in data["triggers"]] == ["sins_7_or_more", "epidural_extension"]
    assert data["urgency"] == "green" and data["due_within_hours"] == 168


@pytest.mark.django_db
def test_evaluate_with_ecog_only_marks_kps_from_ecog(api: APIClient) -> None:
    response = api.post(URL, body(patient__kps=..., patient__ecog=1), format="json")
    assert response.status_code == 200
    assert response.json()["tokuhashi"]["kps_from_ecog"] is True


@pytest.mark.django_db
def test_high_grade_triple_negative_is_red_with_separation_surgery(api: APIClient) -> None:
    data = body(patient__receptors={"er": False, "pr": False, "her2": False},
                lesions__0__bilsky="3")
    response = api.post(URL, data, format="json")
    assert response.status_code == 200
    result = response.json()
    assert result["subtype"] == "triple_negative"
    assert result["urgency"] == "red" and result["due_within_hours"] == 24
    assert result["noms"]["pathway"] == "separation_surgery_srs"
    assert result["tokuhashi"]["modified_2014_total"] == result["tokuhashi"]["total"] - 2


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        (body(lesions__0__levels=["Co1"]), "lesions[0].levels[0]", "Co1"),
        (body(lesions__0__pain="sharp"), "lesions[0].pain", "sharp"),
        (body(patient__frankel=...), "patient.frankel", "required"),
        (body(patient__kps=...), "patient.kps", "ecog"),
        (body(patient__vertebral_metastases=1), "patient.vertebral_metastases", "2"),
        (body(lesions=[]), "lesions", ""),
        (body(patient__kps=85), "patient.kps", ""),
        (body(patient__extraspinal_bone_metastases=True),
         "patient.extraspinal_bone_metastases", ""),
        (body(patient__visceral_metastases="some"), "patient.visceral_metastases", "some"),
        ([1, 2, 3], "non_field_errors", "object"),
    ],
)
@pytest.mark.django_db
def test_bad_input_gets_400_naming_the_field(
    api: APIClient, data: Any, field: str, reason: str
) -> None:
    response = api.post(URL, data, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(r, str) for r in errors[field])
    assert reason.lower() in " ".join(errors[field]).lower()


@pytest.mark.django_db
def test_a_non_json_body_gets_400(api: APIClient) -> None:
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.django_db
def test_another_content_type_gets_415(api: APIClient) -> None:
    response = api.post(URL, "patient=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.django_db
def test_anonymous_callers_are_refused() -> None:
    response = APIClient().post(URL, REQUEST, format="json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_endpoint_is_in_the_openapi_schema(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    operation = response.json()["paths"][URL]["post"]
    assert {"200", "400", "401"} <= set(operation["responses"])
