"""Issue 15: access follows the care, whatever changes it, in production conditions.

Every change of membership, grant, care-team addition or attendance holds on the next request in
both directions (admin inline, API, management command, plain ORM), and is audited. The receivers
that audit them, and the access sources the higher apps register, are still connected after a
garbage collection with DEBUG off (the defect of the first version: weakly connected local
functions, collected as soon as ``ready()`` returned).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import access
from cases.access import case_list_visible_to
from cases.models import AuditEvent, CareTeamMember, Case
from integrations.models import IntegrationGrant
from meetings import services as meeting_services
from meetings.models import Attendance
from tests.deploy.test_production_settings import BASE_DIR, production_env
from tests.factories import UserFactory, make_mdt_case, on_its_day
from tumorboard.models import TeamMembership
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


def _sees(user, case: Case) -> bool:
    return case_list_visible_to(user=user).filter(pk=case.pk).exists()


def _api_status(user, case: Case) -> int:
    api = APIClient()
    api.force_authenticate(user)
    return api.get(reverse("api-case", args=[case.pk])).status_code


def _audited(kind: str, user_id: int, action: str) -> bool:
    return AuditEvent.objects.filter(object_type=kind, object_id=user_id, action=action).exists()


# --- the receivers and sources stay connected -----------------------------------------------


def _live(signal, sender) -> list:
    found = signal._live_receivers(sender)
    # Django 5: (sync receivers, async receivers); earlier: one list.
    return list(found[0]) if isinstance(found, tuple) else list(found)


def test_the_access_receivers_survive_a_garbage_collection() -> None:
    gc.collect()
    from integrations.models import IntegrationGrant
    from tumorboard.models import TeamMembership

    watched = {sender for _signal, _receiver, sender, _uid in access.RECEIVERS}
    assert {TeamMembership, CareTeamMember, Attendance, IntegrationGrant,
            Case.oncologists.through} <= watched
    for signal, receiver, sender, uid in access.RECEIVERS:
        assert receiver in _live(signal, sender), uid
    assert set(access.access_sources()) == {"meeting-attendees", "integration-grants",
                                            "radiation-oncology-referrals"}


def test_with_debug_off_the_receivers_are_live_after_setup_and_gc(tmp_path: Path) -> None:
    """What production runs: DEBUG off, django.setup(), a collection, then the receivers."""
    code = (
        "import django, gc, json; django.setup(); gc.collect()\n"
        "from django.db.models.signals import post_save, post_delete, m2m_changed\n"
        "from tumorboard.models import TeamMembership\n"
        "from cases.models import Case, CareTeamMember\n"
        "from meetings.models import Attendance\n"
        "from integrations.models import IntegrationGrant\n"
        "from cases import access, services\n"
        "def n(s, m):\n"
        "    r = s._live_receivers(m)\n"
        "    return len(r[0]) if isinstance(r, tuple) else len(r)\n"
        "print(json.dumps({'membership_saved': n(post_save, TeamMembership),"
        " 'membership_deleted': n(post_delete, TeamMembership),"
        " 'care_team': n(post_save, CareTeamMember),"
        " 'oncologists': n(m2m_changed, Case.oncologists.through),"
        " 'attendance': n(post_save, Attendance),"
        " 'grant': n(post_delete, IntegrationGrant),"
        " 'sources': sorted(access.access_sources()),"
        " 'guards': sorted(services.team_change_guards())}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR,
                            env=production_env(tmp_path), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    live = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("membership_saved", "membership_deleted", "care_team", "oncologists",
                 "attendance", "grant"):
        assert live[name] >= 1, (name, live)
    assert live["sources"] == ["integration-grants", "meeting-attendees",
                               "radiation-oncology-referrals"]
    assert live["guards"] == ["referrals-open-referral"]


# --- membership, by every path, in both directions ------------------------------------------


@pytest.fixture
def prod(settings):
    """DEBUG off where it matters (the access defect hid behind DEBUG)."""
    settings.DEBUG = False
    return settings


def test_plain_orm_membership_changes_hold_on_the_next_request(prod, care_case,
                                                                breast_team) -> None:
    joiner = UserFactory(username="june", role=Role.BREAST_ONCOSURGEON)
    assert _api_status(joiner, care_case) == 404
    membership = TeamMembership.objects.create(team=breast_team, user=joiner)
    assert _api_status(joiner, care_case) == 200
    assert _audited("team_membership", joiner.pk, "grant")
    membership.delete()
    assert _api_status(joiner, care_case) == 404
    assert _audited("team_membership", joiner.pk, "revoke")
    # A bulk insert and a queryset delete send no per-row signal: access follows all the same.
    TeamMembership.objects.bulk_create([TeamMembership(team=breast_team, user=joiner)])
    assert _sees(joiner, care_case)
    TeamMembership.objects.filter(user=joiner).delete()
    assert not _sees(joiner, care_case)


def test_admin_inline_membership_changes_hold_and_are_audited(prod, care_case, spine_team,
                                                              admin_person) -> None:
    """The team's admin page, its membership inline: add a neurosurgeon, then remove them."""
    newcomer = UserFactory(username="nadia", role=Role.NEUROSURGEON)
    admin = Client()
    admin.force_login(admin_person)
    url = reverse("admin:tumorboard_team_change", args=[spine_team.pk])
    existing = list(TeamMembership.objects.filter(team=spine_team).order_by("pk"))

    def post(rows: list[dict]) -> None:
        data = {"institution": spine_team.institution_id, "name": spine_team.name,
                "kind": spine_team.kind, "memberships-TOTAL_FORMS": str(len(rows)),
                "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
                "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
                "_save": "Save"}
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"memberships-{index}-{key}"] = value
            data[f"memberships-{index}-team"] = str(spine_team.pk)
        response = admin.post(url, data)
        assert response.status_code == 302, response.content[:2000]

    keep = [{"id": str(m.pk), "user": str(m.user_id), "is_lead": "on" if m.is_lead else ""}
            for m in existing]
    post([*keep, {"user": str(newcomer.pk)}])
    assert _api_status(newcomer, care_case) == 200
    added = TeamMembership.objects.get(team=spine_team, user=newcomer)
    assert AuditEvent.objects.filter(object_type="team_membership", object_id=newcomer.pk,
                                     action="grant", actor=admin_person).exists()
    post([*keep, {"id": str(added.pk), "user": str(newcomer.pk), "DELETE": "on"}])
    assert not TeamMembership.objects.filter(pk=added.pk).exists()
    assert _api_status(newcomer, care_case) == 404
    assert AuditEvent.objects.filter(object_type="team_membership", object_id=newcomer.pk,
                                     action="revoke", actor=admin_person).exists()


def test_care_team_changes_through_the_api_hold_both_ways(prod, care_case, breast_surgeon,
                                                          medical_oncologist) -> None:
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case", args=[care_case.pk])
    assert _api_status(medical_oncologist, care_case) == 404
    version = api.get(url).json()["version"]
    answer = api.patch(url, {"version": version, "oncologists": [medical_oncologist.pk]},
                       format="json")
    assert answer.status_code == 200, answer.json()
    assert _api_status(medical_oncologist, care_case) == 200
    assert _audited("oncologist", medical_oncologist.pk, "grant")
    answer = api.patch(url, {"version": answer.json()["version"], "oncologists": []},
                       format="json")
    assert answer.status_code == 200
    assert _api_status(medical_oncologist, care_case) == 404
    assert _audited("oncologist", medical_oncologist.pk, "revoke")


def test_integration_grants_by_the_management_command_hold_both_ways(
        prod, care_case, breast_team, spine_team) -> None:
    call_command("create_integration_client", "his-north", "--team", breast_team.name)
    client = IntegrationGrant.objects.get(team=breast_team).user
    assert _api_status(client, care_case) == 200
    assert _audited("integration_grant", client.pk, "grant")
    call_command("create_integration_client", "his-north", "--team", spine_team.name)
    assert _api_status(client, care_case) == 200  # the spine team is the case's too
    IntegrationGrant.objects.filter(user=client).delete()
    assert _api_status(client, care_case) == 404
    assert _audited("integration_grant", client.pk, "revoke")


# --- the people an MDT depends on -----------------------------------------------------------


@pytest.fixture
def radonc_outside(db):
    """A radiation oncologist in no team of the case (the one of the issue)."""
    return UserFactory(username="rory", role=Role.RADIATION_ONCOLOGIST)


def _meeting(mdt_team, neurosurgeon, coordinator, attendees, days=3):
    return meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=days), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 4", attendees=attendees)


def test_an_attendee_sees_the_agenda_cases_until_30_days_after_the_meeting(
        prod, breast_surgeon, neurosurgeon, coordinator, teams, mdt_team, radonc_outside,
        time_machine) -> None:
    cases = [make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
             for _ in range(2)]
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [breast_surgeon])
    assert not any(_sees(radonc_outside, case) for case in cases)
    meeting_services.attendee_invite(meeting=meeting, user=radonc_outside, actor=coordinator)
    assert _audited("attendance", radonc_outside.pk, "grant")
    # Invited, but no case on the agenda yet: nothing to see.
    assert not any(_sees(radonc_outside, case) for case in cases)
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    assert all(_sees(radonc_outside, case) for case in cases)
    client = Client()
    client.force_login(radonc_outside)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert page.status_code == 200 and b"hidden-items" not in page.content
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    for attendance in meeting.attendances.all():
        meeting_services.attendance_record(meeting=meeting, user_id=attendance.user_id,
                                           present=True, actor=coordinator)
    for item in meeting.items.all():
        meeting_services.decision_record(
            item=item, actor=coordinator, pathway="cebrt", rationale="Radiosensitive.",
            responsible=breast_surgeon, override_reason="Board's view of the imaging.")
    meeting_services.meeting_finalize(meeting=meeting, actor=coordinator)
    time_machine.move_to(timezone.now() + dt.timedelta(days=29))
    assert all(_sees(radonc_outside, case) for case in cases)
    time_machine.move_to(timezone.now() + dt.timedelta(days=2))
    assert not any(_sees(radonc_outside, case) for case in cases)
    assert _api_status(radonc_outside, cases[0]) == 404


def test_the_responsible_clinician_joins_the_care_team_and_is_alerted(
        prod, breast_surgeon, neurosurgeon, coordinator, teams, mdt_team,
        radonc_outside, django_capture_on_commit_callbacks) -> None:
    from referrals.models import Alert

    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [breast_surgeon])
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    assert _api_status(radonc_outside, case) == 404
    item = meeting.items.get()
    with django_capture_on_commit_callbacks(execute=False):
        meeting_services.decision_record(
            item=item, actor=coordinator, pathway="cebrt", rationale="Radiosensitive.",
            responsible=radonc_outside, override_reason="Board's view of the imaging.")
    member = CareTeamMember.objects.get(case=case, user=radonc_outside)
    assert member.reason == "decision_responsible" and member.added_by == coordinator
    assert _audited("care_team", radonc_outside.pk, "grant")
    alert = Alert.objects.get(recipient=radonc_outside)
    assert alert.kind == "decision_responsible" and alert.case_id == case.pk
    assert alert.referral_id is None
    assert _api_status(radonc_outside, case) == 200
    client = Client()
    client.force_login(radonc_outside)
    alerts_page = client.get(reverse("referrals:alert-list")).content.decode()
    # In the application the alert names the patient (issue 19); e-mails keep ids only.
    assert f"{case.patient.family_name}, {case.patient.given_name}" in alerts_page
    assert f"case #{case.pk}" in alerts_page
    assert "You are responsible for an MDT decision" in alerts_page


def test_a_page_says_how_many_agenda_items_it_cannot_show(
        prod, breast_surgeon, neurosurgeon, coordinator, teams, mdt_team,
        medical_oncologist) -> None:
    cases = [make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
             for _ in range(3)]
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [breast_surgeon])
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    outsider = UserFactory(username="otto", role=Role.MEDICAL_ONCOLOGIST)
    cases[0].oncologists.add(outsider)  # sees one case, and so the meeting, not invited
    client = Client()
    client.force_login(outsider)
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "2 other agenda items are not shown" in page
    assert "outside your care teams" in page
    api = APIClient()
    api.force_authenticate(outsider)
    detail = api.get(reverse("api-meeting", args=[meeting.pk])).json()
    assert len(detail["agenda"]) == 1 and detail["hidden_agenda_items"] == 2


# --- integration clients --------------------------------------------------------------------


def test_an_integration_client_reads_the_meetings_of_its_granted_cases(
        prod, breast_surgeon, neurosurgeon, coordinator, teams, mdt_team) -> None:
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [breast_surgeon])
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    system = UserFactory(username="his-mdt", role=Role.INTEGRATION)
    IntegrationGrant.objects.create(user=system, team=mdt_team)
    api = APIClient()
    api.force_authenticate(system)
    listed = api.get(reverse("api-meetings")).json()["results"]
    assert [row["id"] for row in listed] == [meeting.pk]
    agenda = api.get(reverse("api-meeting-agenda", args=[meeting.pk])).json()
    assert [item["case"] for item in agenda] == [case.pk]
    assert api.get(reverse("api-meeting-ics", args=[meeting.pk])).status_code == 200
    # Without a grant: nothing.
    IntegrationGrant.objects.filter(user=system).delete()
    assert api.get(reverse("api-meetings")).json()["results"] == []
    assert api.get(reverse("api-meeting", args=[meeting.pk])).status_code == 404


# --- only clinicians chair, count, present and own ------------------------------------------


def test_only_active_clinicians_chair_attend_or_own_a_decision(
        prod, breast_surgeon, neurosurgeon, coordinator, mdt_team, teams) -> None:
    system = UserFactory(username="his-riverside", role=Role.INTEGRATION)
    api = APIClient()
    api.force_authenticate(coordinator)
    body = {"mdt_team": mdt_team.pk, "starts_at": (timezone.now() + dt.timedelta(days=2))
            .isoformat(), "chair": system.pk, "place": "Room 1", "attendees": []}
    answer = api.post(reverse("api-meetings"), body, format="json")
    assert answer.status_code == 400 and "chair" in answer.json()
    answer = api.post(reverse("api-meetings"), {**body, "chair": neurosurgeon.pk,
                                                "attendees": [system.pk]}, format="json")
    assert answer.status_code == 400 and "attendees" in answer.json()
    answer = api.post(reverse("api-meetings"), {**body, "chair": coordinator.pk}, format="json")
    assert answer.status_code == 400 and "chair" in answer.json()
    make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams)
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [breast_surgeon])
    meeting_services.agenda_populate(meeting=meeting, actor=coordinator)
    meeting_services.meeting_lock(meeting=meeting, actor=coordinator)
    meeting_services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    item = meeting.items.get()
    url = reverse("api-meeting-item-decision", args=[meeting.pk, item.pk])
    decision = {"pathway": "cebrt", "rationale": "x", "override_reason": "y"}
    for person in (system, coordinator):
        answer = api.post(url, {**decision, "responsible": person.pk}, format="json")
        assert answer.status_code == 400 and "responsible" in answer.json(), person.role
    # The page: the system is offered nowhere, and no one is chosen by default.
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("meetings:meeting-session", args=[meeting.pk])).content.decode()
    assert "his-riverside" not in page and system.get_full_name() not in page
    assert '<option value="" selected>Choose the responsible clinician</option>' in page
    answer = client.post(reverse("meetings:item-decide", args=[meeting.pk, item.pk]), {
        f"item{item.pk}-pathway": "cebrt", f"item{item.pk}-rationale": "x",
        f"item{item.pk}-override_reason": "y", f"item{item.pk}-responsible": ""})
    from meetings.models import Decision

    assert not Decision.objects.filter(item=item).exists()
    assert answer.status_code in (200, 302, 400)


def test_attendees_are_clinicians_or_coordinators(prod, coordinator, neurosurgeon, mdt_team,
                                                  admin_person) -> None:
    meeting = _meeting(mdt_team, neurosurgeon, coordinator, [])
    system = UserFactory(username="his-south", role=Role.INTEGRATION)
    for person in (system, admin_person):
        with pytest.raises(Exception) as refused:
            meeting_services.attendee_invite(meeting=meeting, user=person, actor=coordinator)
        assert "user" in getattr(refused.value, "message_dict", {})
    assert not Attendance.objects.filter(meeting=meeting, user__in=[system, admin_person])


# --- a team an open referral involves stays on the case -------------------------------------


def test_a_team_an_open_referral_targets_cannot_be_dropped(prod, care_case,
                                                           breast_surgeon) -> None:
    referral = care_case.referrals.get()
    api = APIClient()
    api.force_authenticate(breast_surgeon)
    url = reverse("api-case", args=[care_case.pk])
    version = api.get(url).json()["version"]
    answer = api.patch(url, {"version": version, "spine_team": None}, format="json")
    assert answer.status_code == 409
    assert answer.json()["referral"] == referral.pk and answer.json()["field"] == "spine_team"
    care_case.refresh_from_db()
    assert care_case.spine_team_id is not None and care_case.version == version
