"""The radiotherapy plan (CLINICAL.md §16): the radiation oncologist records it; the page and the
API show §16's window after separation surgery (planned 14-28 days, flagged after 35) and warn of
denosumab during spinal radiotherapy; bad input names the field and saves nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import RadiotherapyPlan
from cases.systemic import systemic_picture
from tests.factories import UserFactory, create_case
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SURGERY = TODAY - timedelta(days=40)


@pytest.fixture
def radonc(db: None):
    return UserFactory(username="radonc-x", role=Role.RADIATION_ONCOLOGIST)


@pytest.fixture
def case(breast_surgeon, teams, radonc):
    case = create_case(actor=breast_surgeon, **teams)
    case.oncologists.add(radonc)
    return case


def plan(case, radonc, days: int, **extra):
    return services.radiotherapy_plan_create(
        case=case, actor=radonc, technique="sbrt", dose_gy=24, fractions=2,
        target_levels=["T7"], surgery_date=SURGERY,
        planned_start=SURGERY + timedelta(days=days), **extra)


@pytest.mark.parametrize(("days", "timing"), [
    (13, "before_wound_healing"), (14, "in_window"), (28, "in_window"),
    (29, "after_window"), (35, "after_window"), (36, "late"),
])
def test_the_window_after_separation_surgery(case, radonc, days, timing) -> None:
    plan(case, radonc, days)
    (view,) = systemic_picture(case).plans
    (flag,) = view.flags
    assert (flag.days, flag.timing.value) == (days, timing)
    assert view.flagged is (timing != "in_window")


def test_denosumab_during_radiotherapy_is_warned_on_the_page(case, radonc, breast_surgeon,
                                                             client: Client) -> None:
    services.episode_create(case=case, actor=breast_surgeon,
                            therapy_class="bone_modifying_agent", drug="denosumab",
                            started_on=TODAY - timedelta(days=200))
    plan(case, radonc, 20)
    client.force_login(radonc)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert 'data-rt-flag="denosumab"' in page and "osteonecrosis" in page
    assert 'data-rt-flag="in_window"' in page


def test_only_a_radiation_oncologist_plans(case, breast_surgeon) -> None:
    with pytest.raises(PermissionDenied):
        plan(case, breast_surgeon, 20)
    assert not RadiotherapyPlan.objects.exists()


def test_an_outsider_radiation_oncologist_cannot_plan(case) -> None:
    stranger = UserFactory(username="radonc-out", role=Role.RADIATION_ONCOLOGIST)
    with pytest.raises(PermissionDenied):
        plan(case, stranger, 20)


@pytest.mark.parametrize(("change", "field"), [
    ({"target_levels": ["X9"]}, "target_levels"),
    ({"dose_gy": 0}, "dose_gy"),
    ({"fractions": 0}, "fractions"),
    ({"planned_start": SURGERY - timedelta(days=1)}, "planned_start"),
    ({"actual_end": TODAY}, "actual_start"),
])
def test_bad_plans_name_the_field(case, radonc, change, field) -> None:
    fields = {"technique": "sbrt", "dose_gy": 24, "fractions": 2, "target_levels": ["T7"],
              "surgery_date": SURGERY, "planned_start": SURGERY + timedelta(days=20), **change}
    with pytest.raises(ValidationError) as error:
        services.radiotherapy_plan_create(case=case, actor=radonc, **fields)
    assert field in error.value.message_dict
    assert not RadiotherapyPlan.objects.exists()


def test_the_form_records_a_plan_and_its_actual_start(case, radonc, client: Client) -> None:
    client.force_login(radonc)
    response = client.post(reverse("cases:plan-create", args=[case.pk]), {
        "technique": "sbrt", "dose_gy": "27", "fractions": "3", "target_levels": "t7, T8",
        "surgery_date": SURGERY.isoformat(),
        "planned_start": (SURGERY + timedelta(days=21)).isoformat()})
    assert response.status_code == 302
    saved = RadiotherapyPlan.objects.get()
    assert saved.target_levels == ["T7", "T8"]
    response = client.post(reverse("cases:plan-edit", args=[case.pk, saved.pk]), {
        "technique": "sbrt", "dose_gy": "27", "fractions": "3", "target_levels": "T7, T8",
        "surgery_date": SURGERY.isoformat(),
        "planned_start": (SURGERY + timedelta(days=21)).isoformat(),
        "actual_start": (SURGERY + timedelta(days=37)).isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert 'data-rt-flag="late"' in page


def test_the_form_shows_errors_and_saves_nothing(case, radonc, client: Client) -> None:
    client.force_login(radonc)
    response = client.post(reverse("cases:plan-create", args=[case.pk]), {
        "technique": "protons", "dose_gy": "-1", "fractions": "2", "target_levels": "Z1",
        "planned_start": TODAY.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"technique", "dose_gy"}
    assert not RadiotherapyPlan.objects.exists()


def test_the_api_plans_and_reads_the_flags(case, radonc, outsider) -> None:
    api = APIClient()
    api.force_authenticate(radonc)
    body = {"technique": "cebrt", "dose_gy": 30, "fractions": 10, "target_levels": ["L2"],
            "surgery_date": SURGERY.isoformat(),
            "planned_start": (SURGERY + timedelta(days=36)).isoformat()}
    response = api.post(reverse("api-case-radiotherapy-plans", args=[case.pk]), body,
                        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["flags"][0]["timing"] == "late"
    bad = api.post(reverse("api-case-radiotherapy-plans", args=[case.pk]),
                   {**body, "target_levels": ["Q1"]}, format="json")
    assert bad.status_code == 400 and "target_levels" in bad.json()
    read = api.get(reverse("api-case-systemic", args=[case.pk])).json()
    assert read["radiotherapy_plans"][0]["flagged"] is True
    assert "safe_surgery" in read
    api.force_authenticate(outsider)
    assert api.get(reverse("api-case-systemic", args=[case.pk])).status_code == 404
    assert api.post(reverse("api-case-radiotherapy-plans", args=[case.pk]), body,
                    format="json").status_code == 404
    assert RadiotherapyPlan.objects.count() == 1
