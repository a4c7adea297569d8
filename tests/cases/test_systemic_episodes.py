"""Systemic therapy episodes, holds and dated laboratory values on the case (CLINICAL.md §10, §16):
the services validate and audit, the page shows the earliest safe date of elective surgery,
bad input saves nothing, outsiders get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AuditEvent, LabValue, SystemicTherapyEpisode, TherapyHold
from cases.systemic import safe_surgery, systemic_picture
from cases.timeline import Phase
from tests.factories import UserFactory, create_case
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def medonc(db: None):
    return UserFactory(username="medonc-x", role=Role.MEDICAL_ONCOLOGIST)


@pytest.fixture
def case(breast_surgeon, teams, medonc):
    case = create_case(actor=breast_surgeon, **teams)
    case.oncologists.add(medonc)
    return case


def test_an_oncologist_records_an_episode_a_hold_and_labs(case, medonc) -> None:
    version = case.version
    palbo = services.episode_create(case=case, actor=medonc, therapy_class="cdk46_inhibitor",
                                    drug="palbociclib", started_on=TODAY - timedelta(days=90))
    services.hold_create(case=case, episode=palbo, actor=medonc,
                         held_from=TODAY - timedelta(days=3), reason="before surgery")
    services.lab_create(case=case, actor=medonc, kind="anc", value=1200,
                        taken_on=TODAY - timedelta(days=7))
    services.lab_create(case=case, actor=medonc, kind="anc", value=1900, taken_on=TODAY)
    case.refresh_from_db()
    assert case.version == version + 4
    assert AuditEvent.objects.filter(case_id=case.pk, action="create",
                                     object_type__in=["systemictherapyepisode", "therapyhold",
                                                      "labvalue"]).count() == 4
    picture = systemic_picture(case)
    # Held palbociclib, ANC 1,900 today (> 1,500): safe today.
    assert picture.safe.earliest == TODAY
    assert [s.trend for s in picture.labs if s.kind == "anc"] == ["up"]


def test_a_bone_agent_dose_3_days_ago_puts_the_safe_date_25_days_ahead(case, medonc) -> None:
    services.episode_create(case=case, actor=medonc, therapy_class="bone_modifying_agent",
                            drug="zoledronic acid", started_on=TODAY - timedelta(days=200),
                            last_dose_on=TODAY - timedelta(days=3))
    services.lab_create(case=case, actor=medonc, kind="anc", value=3000, taken_on=TODAY)
    assert safe_surgery(case).earliest == TODAY + timedelta(days=25)


def test_the_old_summary_fields_still_count(case) -> None:
    case.bone_modifying_agent, case.bone_agent_last_dose = "denosumab", TODAY - timedelta(days=10)
    case.anc_per_mm3, case.anc_date = 2500, TODAY
    case.save()
    assert safe_surgery(case).earliest == TODAY + timedelta(days=18)
    case.anc_per_mm3 = 1500
    case.save()
    assert safe_surgery(case).earliest is None


@pytest.mark.parametrize(("fields", "bad"), [
    ({"therapy_class": "vitamins", "drug": "x", "started_on": TODAY}, "therapy_class"),
    ({"therapy_class": "endocrine", "drug": "letrozole", "started_on": TODAY,
      "stopped_on": TODAY - timedelta(days=1), "stop_reason": "x"}, "stopped_on"),
    ({"therapy_class": "endocrine", "drug": "letrozole", "started_on": TODAY - timedelta(days=9),
      "stopped_on": TODAY}, "stop_reason"),
])
def test_a_bad_episode_names_the_field_and_saves_nothing(case, medonc, fields, bad) -> None:
    with pytest.raises(ValidationError) as error:
        services.episode_create(case=case, actor=medonc, **fields)
    assert bad in error.value.message_dict
    assert not SystemicTherapyEpisode.objects.exists()


def test_holds_of_one_episode_do_not_overlap(case, medonc) -> None:
    letrozole = services.episode_create(case=case, actor=medonc, therapy_class="endocrine",
                                        drug="letrozole", started_on=TODAY - timedelta(days=60))
    services.hold_create(case=case, episode=letrozole, actor=medonc,
                         held_from=TODAY - timedelta(days=20), held_to=TODAY - timedelta(days=10),
                         reason="infection")
    with pytest.raises(ValidationError) as error:
        services.hold_create(case=case, episode=letrozole, actor=medonc,
                             held_from=TODAY - timedelta(days=10), reason="again")
    assert "held_from" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.hold_create(case=case, episode=letrozole, actor=medonc,
                             held_from=TODAY - timedelta(days=90), reason="before start")
    assert "held_from" in error.value.message_dict
    assert TherapyHold.objects.count() == 1


def test_a_lab_in_the_future_or_negative_is_refused(case, medonc) -> None:
    with pytest.raises(ValidationError) as error:
        services.lab_create(case=case, actor=medonc, kind="anc", value=2000,
                            taken_on=TODAY + timedelta(days=1))
    assert "taken_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.lab_create(case=case, actor=medonc, kind="platelets", value=-1, taken_on=TODAY)
    assert "value" in error.value.message_dict
    assert not LabValue.objects.exists()


def test_an_outsider_cannot_write_or_read(case, outsider, client: Client) -> None:
    with pytest.raises(PermissionDenied):
        services.lab_create(case=case, actor=outsider, kind="anc", value=2000, taken_on=TODAY)
    client.force_login(outsider)
    assert client.get(reverse("cases:lab-create", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:episode-create", args=[case.pk]),
                       {"therapy_class": "endocrine", "drug": "x",
                        "started_on": TODAY.isoformat()}).status_code == 404
    assert not SystemicTherapyEpisode.objects.exists()


def test_a_coordinator_reads_but_cannot_record(case, coordinator, client: Client) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("cases:case-detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:episode-create", args=[case.pk])).status_code == 403


def test_the_pages_record_and_show_the_safe_date(case, medonc, client: Client) -> None:
    client.force_login(medonc)
    response = client.post(reverse("cases:episode-create", args=[case.pk]), {
        "therapy_class": "bone_modifying_agent", "drug": "denosumab",
        "started_on": (TODAY - timedelta(days=100)).isoformat(),
        "last_dose_on": (TODAY - timedelta(days=8)).isoformat()})
    assert response.status_code == 302
    episode = SystemicTherapyEpisode.objects.get()
    response = client.post(reverse("cases:hold-create", args=[case.pk, episode.pk]),
                           {"held_from": TODAY.isoformat(), "reason": "spinal surgery"})
    assert response.status_code == 302
    client.post(reverse("cases:lab-create", args=[case.pk]),
                {"kind": "anc", "value": "2100", "taken_on": TODAY.isoformat()})
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    expected = (TODAY - timedelta(days=8) + timedelta(days=28)).isoformat()
    assert f'data-safe-date="{expected}"' in page
    assert "spinal surgery" in page


def test_a_bad_form_shows_the_error_and_saves_nothing(case, medonc, client: Client) -> None:
    client.force_login(medonc)
    response = client.post(reverse("cases:lab-create", args=[case.pk]),
                           {"kind": "anc", "value": "abc", "taken_on": "2026-13-40"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"value", "taken_on"}
    assert not LabValue.objects.exists()


def test_a_low_anc_blocks_with_no_date(case, medonc) -> None:
    services.lab_create(case=case, actor=medonc, kind="anc", value=900, taken_on=TODAY)
    picture = systemic_picture(case)
    assert picture.safe.earliest is None and picture.safe.blocked


def test_resumption_after_surgery_is_due_on_the_page(case, breast_surgeon, medonc,
                                                     client: Client) -> None:
    services.episode_create(case=case, actor=medonc, therapy_class="chemotherapy",
                            drug="capecitabine", started_on=TODAY - timedelta(days=60))
    for phase in (Phase.SPINE_METASTASIS_DETECTION, Phase.MDT_TUMOR_BOARD, Phase.PRE_OPERATIVE,
                  Phase.SURGERY):
        services.case_transition(case=case, to_phase=phase, reason="test",
                                 actor=breast_surgeon)
        case.refresh_from_db()
    picture = systemic_picture(case)
    assert picture.surgery_date == TODAY
    (item,) = picture.resume
    assert item.earliest == TODAY + timedelta(days=14)
    assert item.latest == TODAY + timedelta(days=28)
    client.force_login(medonc)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "resumption due" in page and "capecitabine" in page


@pytest.mark.parametrize("n", [1, 4])
def test_the_systemic_picture_does_not_grow_with_rows(case, medonc, n,
                                                      django_assert_num_queries) -> None:
    for i in range(n):
        episode = services.episode_create(case=case, actor=medonc, therapy_class="endocrine",
                                          drug=f"drug {i}", started_on=TODAY - timedelta(days=99))
        services.hold_create(case=case, episode=episode, actor=medonc,
                             held_from=TODAY - timedelta(days=5), reason="r")
        services.lab_create(case=case, actor=medonc, kind="cea", value=i, taken_on=TODAY)
    # episodes, their holds, laboratory values, radiotherapy plans
    with django_assert_num_queries(4):
        picture = systemic_picture(case, events=[])
    assert len(picture.episodes) == n


def test_the_page_says_held_not_ongoing_and_shows_severity_in_words(case, medonc,
                                                                   client: Client) -> None:
    """A held CDK4/6 inhibitor reads "held since", not "ongoing"; a hold that ended reads
    "ongoing" again; each check's severity is in words with its colour, never its code."""
    palbo = services.episode_create(case=case, actor=medonc, therapy_class="cdk46_inhibitor",
                                    drug="palbociclib", started_on=TODAY - timedelta(days=90))
    letrozole = services.episode_create(case=case, actor=medonc, therapy_class="endocrine",
                                        drug="letrozole", started_on=TODAY - timedelta(days=90))
    held_from = TODAY - timedelta(days=3)
    services.hold_create(case=case, episode=palbo, actor=medonc, held_from=held_from,
                         reason="before surgery")
    services.hold_create(case=case, episode=letrozole, actor=medonc,
                         held_from=TODAY - timedelta(days=30),
                         held_to=TODAY - timedelta(days=20), reason="mucositis")
    services.lab_create(case=case, actor=medonc, kind="anc", value=900, taken_on=TODAY)
    client.force_login(medonc)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    row = page[page.index(f'id="episode-{palbo.pk}"'):]
    row = row[:row.index("</tr>")]
    assert f"held since {held_from.isoformat()}" in row and "ongoing" not in row
    row = page[page.index(f'id="episode-{letrozole.pk}"'):]
    assert "ongoing" in row[:row.index("</tr>")]
    # ANC 900 blocks elective surgery: "Blocks surgery" in red, never the code "block".
    constraints = page[page.index('class="safe-constraints"'):]
    constraints = constraints[:constraints.index("</ul>")]
    assert '<span class="badge urgency-red" data-severity="block">Blocks surgery</span>' \
        in constraints
    assert ">block<" not in constraints


@pytest.mark.parametrize(("start", "end", "held"), [
    (0, None, True),    # held from today, open
    (-5, 0, True),      # held through today
    (-5, -1, False),    # ended yesterday
    (1, None, False),   # starts tomorrow
    (-10, 3, True),     # today inside the hold
])
def test_the_page_and_the_calculators_read_a_hold_the_same_way(case, medonc, start, end,
                                                               held) -> None:
    """The case page's "held since" (the model) and §10's calculators (whether the drug is
    given today) ask the same question, at each edge of a hold (both ends inclusive)."""
    from cases.systemic import episode_of

    episode = SystemicTherapyEpisode.objects.create(
        case=case, therapy_class="cdk46_inhibitor", drug="abemaciclib",
        started_on=TODAY - timedelta(days=60), recorded_by=medonc)
    TherapyHold.objects.create(
        episode=episode, held_from=TODAY + timedelta(days=start),
        held_to=None if end is None else TODAY + timedelta(days=end), reason="surgery",
        recorded_by=medonc)
    row = SystemicTherapyEpisode.objects.prefetch_related("holds").get(pk=episode.pk)
    assert (row.hold_in_force is not None) is held
    assert episode_of(row).running_on(TODAY) is not held
