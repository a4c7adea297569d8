"""The audit trail (reads and writes, append-only, ids only), row history and "case as of"."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Assessment, AuditEvent, Case
from cases.selectors import assessment_reproduce, case_as_of
from cases.timeline import Phase
from tests.factories import STUDY, PatientFactory, add_lesion, create_case

pytestmark = pytest.mark.django_db


def test_every_write_through_the_api_is_audited_with_who_and_where(
    breast_surgeon, breast_team, spine_team
) -> None:
    api = APIClient(REMOTE_ADDR="10.1.2.3")
    api.force_authenticate(breast_surgeon)
    body = {"patient": {"mrn": "AUD-1", "given_name": "Audrey", "family_name": "Trail",
                        "birth_date": "1960-01-01", "sex": "female"},
            "primary_status": "known_breast", "breast_team": breast_team.pk,
            "spine_team": spine_team.pk, "kps": 80, "frankel": "E",
            "extraspinal_bone_metastases": 0, "vertebral_metastases": 1,
            "visceral_metastases": "none"}
    case_id = api.post(reverse("api-cases"), body, format="json").json()["id"]
    api.post(reverse("api-case-lesions", args=[case_id]),
             {**STUDY, "imaging_date": "2026-01-05", "levels": ["T7"]}, format="json")
    api.post(reverse("api-case-assessments", args=[case_id]), {}, format="json")
    api.post(reverse("api-case-transitions", args=[case_id]),
             {"to_phase": "spine_metastasis_detection", "reason": "lesion"}, format="json")
    rows = AuditEvent.objects.filter(actor=breast_surgeon)
    kinds = {(row.action, row.object_type) for row in rows}
    assert {("create", "patient"), ("create", "case"),
            ("create", "spinallesion"), ("create", "lesionimaging"), ("create", "assessment"),
            ("transition", "phaseevent")} <= kinds
    for row in rows:
        assert row.ip_address == "10.1.2.3" and row.path.startswith("/api/v1/cases/")
        assert row.at is not None
    assert rows.filter(case_id=case_id).exclude(patient_id=None).count() >= 5


def test_behind_nginx_the_trail_names_the_client_not_the_proxy(breast_surgeon, care_case) -> None:
    via_nginx = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.23")
    via_nginx.force_authenticate(breast_surgeon)
    assert via_nginx.get(reverse("api-case", args=[care_case.pk])).status_code == 200
    forged = APIClient(REMOTE_ADDR="203.0.113.5", HTTP_X_REAL_IP="198.51.100.99")
    forged.force_authenticate(breast_surgeon)
    assert forged.get(reverse("api-case", args=[care_case.pk])).status_code == 200
    reads = AuditEvent.objects.filter(actor=breast_surgeon, action="view").order_by("pk")
    assert [row.ip_address for row in reads] == ["198.51.100.23", "203.0.113.5"]


def test_reads_of_pages_and_endpoints_are_audited(client, care_case, neurosurgeon) -> None:
    client.force_login(neurosurgeon)
    client.get(reverse("cases:case-detail", args=[care_case.pk]))
    client.get(reverse("cases:case-list"))
    client.get(reverse("cases:case-as-of", args=[care_case.pk]))
    api = APIClient()
    api.force_authenticate(neurosurgeon)
    api.get(reverse("api-case", args=[care_case.pk]))
    api.get(reverse("api-case-timeline", args=[care_case.pk]))
    reads = AuditEvent.objects.filter(actor=neurosurgeon)
    assert [(r.action, r.object_type) for r in reads] == [
        ("view", "case"), ("list", "case_list"), ("view", "case_history"), ("view", "case"),
        ("view", "timeline"),
    ]
    assert reads.filter(action="view").values_list("case_id", flat=True).distinct().get() == \
        care_case.pk
    assert reads.get(action="list").case_ids == [care_case.pk]


def test_the_audit_trail_is_append_only(care_case) -> None:
    row = AuditEvent.objects.first()
    assert row is not None
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=row.pk).update(action="view")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.all().delete()


def test_the_audit_trail_holds_ids_never_names_or_mrns(care_case, client, breast_surgeon):
    client.force_login(breast_surgeon)
    client.get(reverse("cases:case-detail", args=[care_case.pk]))
    patient = care_case.patient
    dump = json.dumps(list(AuditEvent.objects.values()), default=str)
    for secret in (patient.mrn, patient.family_name):
        assert secret not in dump


def test_history_shows_the_case_as_it_was_at_a_given_time(breast_surgeon, breast_team) -> None:
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        case = create_case(actor=breast_surgeon, breast_team=breast_team, kps=80)
    with time_machine.travel(t0 + dt.timedelta(days=2), tick=False):
        add_lesion(case, actor=breast_surgeon, imaging_date=dt.date(2026, 3, 2))
        services.case_update(case=case, actor=breast_surgeon, expected_version=None, kps=50)
    with time_machine.travel(t0 + dt.timedelta(days=5), tick=False):
        services.case_transition(case=case, to_phase=Phase.SPINE_METASTASIS_DETECTION,
                                 reason="lesion", actor=breast_surgeon)
    before = case_as_of(case=case, at=t0 - dt.timedelta(hours=1))
    assert before is None
    day1 = case_as_of(case=case, at=t0 + dt.timedelta(days=1))
    assert day1.case.kps == 80 and day1.case.phase == Phase.INITIAL_DIAGNOSIS
    assert day1.lesions == [] and len(day1.phase_events) == 1
    day3 = case_as_of(case=case, at=t0 + dt.timedelta(days=3))
    assert day3.case.kps == 50 and day3.case.phase == Phase.INITIAL_DIAGNOSIS
    assert [lesion.label for lesion, _ in day3.lesions] == ["T7"]
    now = case_as_of(case=case, at=timezone.now())
    assert now.case.phase == Phase.SPINE_METASTASIS_DETECTION
    assert now.changes[0].history_user == breast_surgeon


def test_the_as_of_page_shows_the_old_values_and_refuses_a_bad_date(
    client, breast_surgeon, breast_team
) -> None:
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        case = create_case(actor=breast_surgeon, breast_team=breast_team, kps=80)
    services.case_update(case=case, actor=breast_surgeon, expected_version=None, kps=40)
    client.force_login(breast_surgeon)
    url = reverse("cases:case-as-of", args=[case.pk])
    assert "KPS 80" in client.get(url, {"at": "2026-03-01T12:00"}).content.decode()
    assert "did not exist yet" in client.get(url, {"at": "2026-02-01"}).content.decode()
    assert "Give a date" in client.get(url, {"at": "soon"}).content.decode()


def test_a_stored_assessment_is_reproduced_exactly_from_its_inputs(care_case, breast_surgeon):
    assessment = services.assessment_create(case=care_case, actor=breast_surgeon)
    services.case_update(case=care_case, actor=breast_surgeon, expected_version=None, kps=30)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert assessment_reproduce(stored) == stored.result
    with pytest.raises(RuntimeError):
        stored.save()


def test_assessment_score_ranges_are_database_constraints(care_case, breast_surgeon) -> None:
    from django.db import IntegrityError, transaction

    good = services.assessment_create(case=care_case, actor=breast_surgeon)
    for field, value in (("max_sins", 19), ("tokuhashi_total", 16), ("tomita_total", 1)):
        row = Assessment(**{f.name: getattr(good, f.name) for f in Assessment._meta.fields
                            if f.name != "id"})
        setattr(row, field, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_mrn_is_unique_within_an_institution_in_the_database(breast_surgeon) -> None:
    from django.db import IntegrityError

    first = PatientFactory(mrn="DUP-1")
    with pytest.raises(IntegrityError):
        PatientFactory(mrn="DUP-1", institution=first.institution)


def test_a_case_phase_outside_the_timeline_is_refused_by_the_database(care_case) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=care_case.pk).update(phase="theatre")


def test_django_admin_shows_patient_data_to_superusers_only_and_audits_it(
    client, care_case, admin_person, breast_surgeon
) -> None:
    url = reverse("admin:cases_patient_change", args=[care_case.patient_id])
    breast_surgeon.is_staff = True
    breast_surgeon.save()
    client.force_login(breast_surgeon)
    assert client.get(url).status_code in (302, 403)
    client.force_login(admin_person)
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(actor=admin_person, object_type="admin_patient").exists()
    audit_url = reverse("admin:cases_auditevent_changelist")
    assert client.get(audit_url).status_code == 200
