"""Prepared cases (issue 18): the presenter from the case's care team, the question, preliminary
opinions per specialty before the meeting, and the completeness table (✓/⚠/✗) on the agenda,
before the lock and in the packet."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from meetings import completeness, packet, services, states
from meetings.models import AgendaItem, PreliminaryOpinion
from scoring.calculators import Episode, Hold, Lab, LabKind, TherapyClass
from tests.factories import on_its_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(meeting, coordinator, mdt_case):
    services.agenda_populate(meeting=meeting, actor=coordinator)
    return AgendaItem.objects.select_related("case").get(meeting=meeting)


def test_the_presenter_is_a_clinician_of_the_cases_care_team(planned, coordinator, neurosurgeon,
                                                             outsider) -> None:
    services.agenda_item_update(item=planned, actor=coordinator, presenter=neurosurgeon,
                                question="Stabilise before radiotherapy?")
    planned.refresh_from_db()
    assert planned.presenter == neurosurgeon
    with pytest.raises(ValidationError) as error:
        services.agenda_item_update(item=planned, actor=coordinator, presenter=outsider)
    assert "presenter" in error.value.message_dict
    planned.refresh_from_db()
    assert planned.presenter == neurosurgeon


def test_an_invited_clinician_gives_an_opinion_per_specialty_before_the_meeting(
        planned, meeting, coordinator, oncologist, outsider) -> None:
    first = services.opinion_record(item=planned, author=oncologist,
                                    specialty="radiation_oncology", text="8 Gy single fraction.")
    again = services.opinion_record(item=planned, author=oncologist,
                                    specialty="radiation_oncology", text="SBRT 24 Gy/2.")
    assert first.pk == again.pk and PreliminaryOpinion.objects.get().text == "SBRT 24 Gy/2."
    with pytest.raises(PermissionDenied):  # not invited
        services.opinion_record(item=planned, author=outsider, specialty="radiology", text="x")
    with pytest.raises(PermissionDenied):  # a coordinator is no clinician
        services.opinion_record(item=planned, author=coordinator, specialty="radiology",
                                text="x")
    with pytest.raises(ValidationError):
        services.opinion_record(item=planned, author=oncologist, specialty="radiology",
                                text="   ")
    with pytest.raises(ValidationError) as error:
        services.opinion_record(item=planned, author=oncologist, specialty="astrology",
                                text="x")
    assert "specialty" in error.value.message_dict
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.opinion_record(item=planned, author=oncologist, specialty="palliative_care",
                            text="Pain team involved.")
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    with pytest.raises(states.IllegalMove):  # the meeting has begun
        services.opinion_record(item=planned, author=oncologist, specialty="radiology",
                                text="late")
    assert PreliminaryOpinion.objects.count() == 2


def _case(**fields):
    base = {"er": True, "pr": False, "her2": False, "asia": "E", "frankel": "E",
            "neurological_deficit": False, "ecog": 1, "kps": 80, "cdk46_inhibitor": False,
            "anc_per_mm3": 2500, "anc_date": dt.date(2027, 3, 1),
            "bone_modifying_agent": "", "bone_agent_last_dose": None,
            "latest_assessment": SimpleNamespace(evaluated_at=dt.datetime(2027, 3, 5, 9, 0))}
    return SimpleNamespace(**{**base, **fields})


DAY = dt.date(2027, 3, 10)


def _states(case, imaging):
    table = completeness.case_completeness(case, imaging, day=DAY)
    return {check.key: check.mark for check in table.checks}


def test_the_completeness_table_marks_each_check() -> None:
    fresh = completeness.Imaging(last_mri=dt.date(2027, 3, 1), last_study=dt.date(2027, 3, 1))
    assert _states(_case(), fresh) == {"mri": "✓", "receptors": "✓", "neurology": "✓",
                                       "assessment": "✓", "systemic": "✓"}
    old = completeness.Imaging(last_mri=dt.date(2027, 1, 20), last_study=dt.date(2027, 3, 8))
    marks = _states(_case(er=None, ecog=None, kps=None, anc_date=dt.date(2026, 12, 1)), old)
    # MRI 49 days old; ER unknown; performance missing; assessed before the newest study (CT).
    assert marks == {"mri": "⚠", "receptors": "⚠", "neurology": "⚠", "assessment": "⚠",
                     "systemic": "⚠"}
    nothing = _case(er=None, pr=None, her2=None, asia="", frankel="", neurological_deficit=None,
                    ecog=None, kps=None, anc_per_mm3=None, anc_date=None,
                    latest_assessment=None)
    assert set(_states(nothing, None).values()) == {"✗"}
    assert completeness.COMPLETENESS_VERSION == "completeness-v2"


def _episode(drug: str, started: dt.date, stopped: dt.date | None = None,
             *holds: Hold) -> Episode:
    return Episode(TherapyClass.CDK46_INHIBITOR, drug, started,
                                stopped, tuple(holds))


def _systemic_note(case, *episodes, anc: tuple[dt.date, ...] = ()) -> tuple[str, str]:
    labs = tuple(Lab(LabKind.ANC, 1800.0, day) for day in anc)
    table = completeness.case_completeness(case, None, day=DAY, systemic=completeness.Systemic(
        episodes, labs))
    (check,) = [check for check in table.checks if check.key == "systemic"]
    return check.mark, check.note


def test_the_systemic_check_reads_the_episodes_and_laboratory_values_on_the_meetings_day(
        ) -> None:
    """Completeness v2 (CLINICAL.md §10): the CDK4/6 inhibitor as the episodes say on the
    meeting's day (given, held since, stopped, not yet started), the newest ANC taken by then."""
    case = _case(anc_per_mm3=None, anc_date=None)
    start = dt.date(2026, 11, 1)
    held = Hold(dt.date(2027, 3, 2))
    ended = Hold(dt.date(2027, 2, 1), dt.date(2027, 2, 14))
    assert _systemic_note(case, _episode("ribociclib", start, None, held),
                          anc=(dt.date(2027, 3, 8),)) == (
        "✓", "ribociclib (CDK4/6 inhibitor) held since 02 Mar 2027; ANC 08 Mar 2027")
    assert _systemic_note(case, _episode("palbociclib", start, None, ended),
                          anc=(dt.date(2027, 1, 2), dt.date(2027, 3, 9))) == (
        "✓", "on palbociclib (CDK4/6 inhibitor); ANC 09 Mar 2027")
    # Stopped before the meeting, or starting after it: none on the day.
    assert _systemic_note(case, _episode("abemaciclib", start, dt.date(2027, 3, 1)),
                          _episode("ribociclib", dt.date(2027, 3, 20))) == (
        "✗", "no CDK4/6 inhibitor; no ANC recorded")
    # An ANC taken after the meeting says nothing of the case at the meeting.
    assert _systemic_note(case, anc=(dt.date(2027, 1, 5), dt.date(2027, 3, 11))) == (
        "⚠", "no CDK4/6 inhibitor; last ANC 05 Jan 2027, over 30 days before the meeting")
    # The older summary fields still count where no row says more (cases.systemic).
    legacy = _case(cdk46_inhibitor=True)
    assert completeness.case_completeness(legacy, None, day=DAY).checks[-1].note == (
        "on a CDK4/6 inhibitor; ANC 01 Mar 2027")


def test_the_agenda_shows_the_marks_warns_before_the_lock_and_takes_opinions(
        planned, meeting, coordinator, oncologist, client) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    # The factory's study is months old and the case has no ANC: not complete.
    assert "Ready for the board" in page and ("✗" in page or "⚠" in page)
    warning = page[page.index('id="lock-warning"'):]
    warning = warning[:warning.index("</div>")]
    assert "Item 1" in warning and "Whole-spine MRI within 30 days" in warning, warning
    client.force_login(oncologist)
    url = reverse("meetings:opinion-add", args=[meeting.pk, planned.pk])
    refused = client.post(url, {f"op{planned.pk}-specialty": "radiology",
                                f"op{planned.pk}-text": ""})
    assert refused.status_code == 400 and "Opinion not saved: item 1" in refused.content.decode()
    done = client.post(url, {f"op{planned.pk}-specialty": "radiation_oncology",
                             f"op{planned.pk}-text": "Single fraction 8 Gy."})
    assert done.status_code == 302
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Radiation oncology" in page and "Single fraction 8 Gy." in page


def test_the_packet_prints_presenter_opinions_and_completeness(
        planned, meeting, coordinator, neurosurgeon, oncologist, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.agenda_item_update(item=planned, actor=coordinator, presenter=neurosurgeon,
                                question="Surgery first?")
    services.opinion_record(item=planned, author=oncologist, specialty="radiation_oncology",
                            text="Radiosensitive subtype: SBRT alone.")
    services.meeting_lock(meeting=meeting, actor=coordinator)
    row = services.packet_request(meeting=meeting, kind="packet", actor=coordinator)
    assert packet.packet_render(packet_id=row.pk) is True
    row.refresh_from_db()
    text = " ".join(" ".join(page.extract_text()
                             for page in PdfReader(str(packet.packet_path(row))).pages).split())
    assert f"Presenter: {neurosurgeon.display_name}" in text
    assert "Radiation oncology" in text and "Radiosensitive subtype: SBRT alone." in text
    assert "Ready for the board" in text
    for title in ("Whole-spine MRI within 30 days", "Receptors known", "A current assessment"):
        assert title in text, title
    assert "✓" in text or "⚠" in text or "✗" in text
