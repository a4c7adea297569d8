"""Protected decisions (issue 18): the version a decision form was read at, a stale submit
refused with both versions shown, input that survives every error, the responsible clinician
chosen on purpose, no meeting scheduled in the past (unless recorded on purpose) nor started
before its day."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEvent
from meetings import services
from meetings.models import AgendaItem, Decision, Meeting, MeetingEvent
from tests.factories import on_its_day

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def session(meeting, coordinator, mdt_case):
    """In session, one case on the agenda (the service recommends cEBRT)."""
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    meeting.refresh_from_db()
    return meeting


def _version_on_page(html: str, item: AgendaItem) -> int:
    found = re.search(rf'name="item{item.pk}-version" value="(\d+)"', html)
    assert found, "the decision form carries no version"
    return int(found.group(1))


def _form(item: AgendaItem, version: int, **fields: object) -> dict[str, object]:
    data = {"version": version, **fields}
    return {f"item{item.pk}-{name}": value for name, value in data.items()}


def test_a_second_tab_cannot_overwrite_a_decision_it_did_not_see(session, coordinator,
                                                                neurosurgeon) -> None:
    item = AgendaItem.objects.get(meeting=session)
    url = reverse("meetings:item-decide", args=[session.pk, item.pk])
    page = reverse("meetings:meeting-session", args=[session.pk])
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(neurosurgeon)  # the chair, in another browser at the same time
    read_first = _version_on_page(first.get(page).content.decode(), item)
    read_second = _version_on_page(second.get(page).content.decode(), item)
    assert read_first == read_second == 0

    surgery = _form(item, read_first, pathway="separation_surgery_srs",
                    responsible=neurosurgeon.pk, rationale="Unstable: stabilise, then SRS.",
                    override_reason="Mechanical pain and SINS 9.")
    assert first.post(url, surgery).status_code == 302
    stored = Decision.objects.get(item=item)
    assert stored.pathway == "separation_surgery_srs" and stored.version == 1

    stale = _form(item, read_second, pathway="cebrt", responsible=coordinator.pk,
                  rationale="Radiotherapy alone.")
    stale[f"item{item.pk}-responsible"] = neurosurgeon.pk
    answer = second.post(url, stale)
    assert answer.status_code == 409
    text = answer.content.decode()
    # Both versions side by side: the submitted pathway and the stored one.
    assert "Radiotherapy alone." in text and "Unstable: stabilise, then SRS." in text
    assert "Conventional external beam radiotherapy" in text and "Separation surgery" in text
    assert "Nothing was saved" in text
    stored.refresh_from_db()
    assert stored.pathway == "separation_surgery_srs" and stored.version == 1
    assert stored.rationale == "Unstable: stabilise, then SRS."
    # The conflict page offers to record yours over it, at the version now stored.
    assert _version_on_page(text, item) == 1
    again = second.post(url, {**stale, f"item{item.pk}-version": 1})
    assert again.status_code == 302
    stored.refresh_from_db()
    assert stored.pathway == "cebrt" and stored.version == 2


def test_the_api_refuses_a_stale_version_with_the_stored_decision(session, coordinator,
                                                                  neurosurgeon,
                                                                  api_client) -> None:
    item = AgendaItem.objects.get(meeting=session)
    api_client.force_authenticate(coordinator)
    url = reverse("api-meeting-item-decision", args=[session.pk, item.pk])
    body = {"pathway": "cebrt", "rationale": "Radiosensitive.", "responsible": neurosurgeon.pk,
            "version": 0}
    first = api_client.post(url, body, format="json")
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = api_client.post(url, {**body, "pathway": "srs", "override_reason": "Oligo."},
                            format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1 and "decide" in stale.json()["allowed_actions"]
    assert stale.json()["current"]["pathway"] == "cebrt"
    assert Decision.objects.get(item=item).pathway == "cebrt"


def test_a_refused_decision_keeps_the_input_and_names_the_item_and_field(
        session, coordinator, neurosurgeon, mdt_case, client) -> None:
    item = AgendaItem.objects.get(meeting=session)
    client.force_login(coordinator)
    answer = client.post(reverse("meetings:item-decide", args=[session.pk, item.pk]),
                         _form(item, 0, pathway="separation_surgery_srs",
                               responsible=neurosurgeon.pk,
                               rationale="Stabilise first, the pain is mechanical."))
    assert answer.status_code == 400
    assert not Decision.objects.exists()
    text = answer.content.decode()
    # The input survives: the rationale, the pathway and the responsible clinician.
    assert "Stabilise first, the pain is mechanical." in text
    assert re.search(r'<option value="separation_surgery_srs" selected>', text)
    assert re.search(rf'<option value="{neurosurgeon.pk}" selected>', text)
    # The error sits in the item's own form, names the item (position and patient) and field.
    form = text[text.index(f'id="decide-{item.pk}"'):]
    form = form[:form.index("</form>")]
    patient = mdt_case.patient
    assert f"item 1 ({patient.family_name}, {patient.given_name})" in form
    assert "Override reason" in form and "override_reason" not in form.replace(
        f"item{item.pk}-override_reason", "")


def test_no_responsible_clinician_is_chosen_by_default(session, coordinator, client) -> None:
    client.force_login(coordinator)
    text = client.get(reverse("meetings:meeting-session", args=[session.pk])).content.decode()
    select = text[text.index('-responsible"'):]
    select = select[:select.index("</select>")]
    assert '<option value="" selected>' in select
    assert select.count(" selected") == 1


# --- scheduling and starting ---------------------------------------------------------------


def _create(mdt_team, coordinator, neurosurgeon, starts_at, **extra):
    return services.meeting_create(mdt_team=mdt_team, starts_at=starts_at, chair=neurosurgeon,
                                   coordinator=coordinator, actor=coordinator,
                                   place="Seminar room 2", **extra)


def test_a_meeting_is_not_scheduled_in_the_past(mdt_team, coordinator, neurosurgeon) -> None:
    month_ago = timezone.now() - dt.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        _create(mdt_team, coordinator, neurosurgeon, month_ago)
    assert "starts_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(mdt_team, coordinator, neurosurgeon, month_ago, record_past=True)
    assert "past_reason" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_recording_a_past_meeting_is_explicit_and_audited(mdt_team, coordinator,
                                                          neurosurgeon) -> None:
    held = timezone.now() - dt.timedelta(days=30)
    meeting = _create(mdt_team, coordinator, neurosurgeon, held, record_past=True,
                      past_reason="Held on paper during the outage.")
    event = MeetingEvent.objects.get(meeting=meeting, action="create")
    assert event.note == "Held on paper during the outage." and event.detail["recorded_past"]
    audit = AuditEvent.objects.get(object_type__icontains="meeting", object_id=meeting.pk,
                                   action="create")
    assert audit.detail["recorded_past"] is True
    assert audit.detail["reason"] == "Held on paper during the outage."
    with pytest.raises(ValidationError) as error:  # a coming meeting is not "recorded"
        _create(mdt_team, coordinator, neurosurgeon, timezone.now() + dt.timedelta(days=2),
                record_past=True, past_reason="x")
    assert "record_past" in error.value.message_dict


def test_the_page_and_the_api_refuse_a_past_meeting(mdt_team, coordinator, neurosurgeon,
                                                    client, api_client) -> None:
    month_ago = timezone.localtime() - dt.timedelta(days=30)
    client.force_login(coordinator)
    answer = client.post(reverse("meetings:meeting-list"), {
        "title": "Spine MDT", "starts_at": month_ago.strftime("%Y-%m-%d %H:%M"),
        "duration_minutes": 60, "place": "Room 1", "chair": neurosurgeon.pk})
    assert answer.status_code == 200
    assert "this time is in the past" in answer.content.decode()
    api_client.force_authenticate(coordinator)
    body = {"mdt_team": mdt_team.pk, "starts_at": month_ago.isoformat(),
            "chair": neurosurgeon.pk, "place": "Room 1"}
    refused = api_client.post(reverse("api-meetings"), body, format="json")
    assert refused.status_code == 400 and "starts_at" in refused.json()
    assert not Meeting.objects.exists()
    recorded = api_client.post(reverse("api-meetings"),
                               {**body, "record_past": True, "past_reason": "Paper minutes."},
                               format="json")
    assert recorded.status_code == 201


def test_a_meeting_is_started_on_its_local_day_not_before(mdt_team, coordinator, neurosurgeon,
                                                          mdt_case, time_machine,
                                                          api_client) -> None:
    # 1 July 2027, 09:00 in London (BST, UTC+1) is 08:00 UTC.
    starts = dt.datetime(2027, 7, 1, 9, 0, tzinfo=LONDON)
    time_machine.move_to(dt.datetime(2027, 6, 28, 12, 0, tzinfo=LONDON))
    meeting = _create(mdt_team, coordinator, neurosurgeon, starts)
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    # 30 June, 23:30 in London: the day before.
    time_machine.move_to(dt.datetime(2027, 6, 30, 23, 30, tzinfo=LONDON))
    with pytest.raises(services.MeetingNotToday):
        services.meeting_start(meeting=meeting, actor=coordinator)
    api_client.force_authenticate(coordinator)
    answer = api_client.post(reverse("api-meeting-start", args=[meeting.pk]))
    assert answer.status_code == 409 and "01 Jul 2027" in answer.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.status == "agenda_locked"
    # 1 July, 00:30 in London is still 30 June in UTC: the meeting's day has come.
    time_machine.move_to(dt.datetime(2027, 7, 1, 0, 30, tzinfo=LONDON))
    assert timezone.now().date() == dt.date(2027, 6, 30)
    services.meeting_start(meeting=meeting, actor=coordinator)
    meeting.refresh_from_db()
    assert meeting.status == "in_session"
