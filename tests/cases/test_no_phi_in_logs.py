"""No patient name or MRN reaches the logs during a full journey (pages and API, good and bad
input, an outsider's probe), with every logger at DEBUG."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CANARY_GIVEN, CANARY_FAMILY, CANARY_MRN = "Zelphine", "Quargleworth", "MRN-CANARY-7731"
PAGE_CANARY_FAMILY, PAGE_CANARY_MRN = "Vexbrindle", "MRN-CANARY-9902"


def test_sql_is_never_logged_with_its_parameters() -> None:
    # SQL parameters carry patient data: django.db.backends must stay above DEBUG.
    assert logging.getLogger("django.db.backends").getEffectiveLevel() > logging.DEBUG


def test_a_full_journey_logs_no_patient_name_or_mrn(
    caplog, client, breast_surgeon, neurosurgeon, outsider, breast_team, spine_team
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("django.request", "django.server", "cases", "scoring", "guardian",
                 "simple_history", "rest_framework"):
        caplog.set_level(logging.DEBUG, logger=name)

    api = APIClient()
    api.force_authenticate(breast_surgeon)
    patient = {"mrn": CANARY_MRN, "given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY,
               "birth_date": "1969-07-20", "sex": "female"}
    body = {"patient": patient, "primary_status": "known_breast", "breast_team": breast_team.pk,
            "spine_team": spine_team.pk, "er": False, "pr": False, "her2": False, "kps": 70,
            "frankel": "D", "deficit_onset_unknown": True,
            "extraspinal_bone_metastases": 2, "vertebral_metastases": 2,
            "visceral_metastases": "treatable"}
    created = api.post(reverse("api-cases"), body, format="json")
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert api.post(reverse("api-cases"), body, format="json").status_code == 400  # dup MRN
    lesions = reverse("api-case-lesions", args=[case_id])
    study = {"levels": ["T11", "T12"], "imaging_date": "2026-01-05", "pain": "mechanical",
             "bone_lesion": "lytic", "alignment": "deformity", "collapse": "under_50",
             "posterolateral": "bilateral", "bilsky": "2"}
    assert api.post(lesions, study, format="json").status_code == 201
    assert api.post(lesions, {**study, "bilsky": "9"}, format="json").status_code == 400
    assert api.post(reverse("api-case-assessments", args=[case_id]), {},
                    format="json").status_code == 201
    transitions = reverse("api-case-transitions", args=[case_id])
    for phase in ("spine_metastasis_detection", "mdt_tumor_board", "pre_operative"):
        assert api.post(transitions, {"to_phase": phase, "reason": "journey"},
                        format="json").status_code == 201
    assert api.post(transitions, {"to_phase": "surveillance", "reason": "x"},
                    format="json").status_code == 409
    assert api.get(reverse("api-case", args=[case_id])).status_code == 200
    assert api.get(reverse("api-case-timeline", args=[case_id])).status_code == 200
    assert api.get(reverse("api-cases"), {"updated_since": "bad"}).status_code == 400
    version = api.get(reverse("api-case", args=[case_id])).json()["version"]
    assert api.patch(reverse("api-case", args=[case_id]), {"version": version - 1, "kps": 60},
                     format="json").status_code == 409

    # The neurosurgeon through the pages, including a duplicate MRN and bad form input.
    client.force_login(neurosurgeon)
    page_patient = {"mrn": PAGE_CANARY_MRN, "given_name": CANARY_GIVEN,
                    "family_name": PAGE_CANARY_FAMILY, "birth_date": "1971-01-01",
                    "sex": "female"}
    assert client.post(reverse("cases:patient-create"), page_patient).status_code == 302
    assert client.post(reverse("cases:patient-create"), page_patient).status_code == 200
    assert client.get(reverse("cases:case-detail", args=[case_id])).status_code == 200
    assert client.get(reverse("cases:case-list")).status_code == 200
    assert client.get(reverse("home-neuro")).status_code == 200
    assert client.post(reverse("cases:lesion-create", args=[case_id]),
                       {"levels": "Q9"}).status_code == 200
    assert client.get(reverse("cases:case-as-of", args=[case_id]),
                      {"at": "2030-01-01"}).status_code == 200

    # An outsider probing.
    api.force_authenticate(outsider)
    assert api.get(reverse("api-case", args=[case_id])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("cases:case-detail", args=[case_id])).status_code == 404

    assert caplog.records, "the journey logged nothing: the capture is not working"
    secrets = (CANARY_GIVEN, CANARY_FAMILY, CANARY_MRN, PAGE_CANARY_FAMILY, PAGE_CANARY_MRN)
    for record in caplog.records:
        text = " ".join([record.getMessage(), str(record.args), record.exc_text or "",
                         str(getattr(record, "request", ""))])
        for secret in secrets:
            assert secret not in text, f"{secret!r} in a log record of {record.name}"
    assert not any(secret in caplog.text for secret in secrets)


def test_sql_logging_stays_off_whatever_log_level(settings) -> None:
    assert settings.LOGGING["loggers"]["django.db.backends"]["level"] == "INFO"
