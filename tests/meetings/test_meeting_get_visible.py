"""``meeting_get_visible`` opens a meeting for its chair, coordinator and MDT team without asking
the rule (issue 22): it must agree with ``meeting_list_visible_to`` for every kind of person,
and a change of team must hold on the next request as the rule's does. ``case_can_change``
answers a member of the case's teams the same way."""

from __future__ import annotations

import pytest
from django.http import Http404

from integrations.models import IntegrationGrant
from meetings import services
from meetings.selectors import meeting_get_visible, meeting_list_visible_to
from tests.factories import TeamFactory, UserFactory, add_member
from tumorboard import requestmemo
from tumorboard.models import Team, TeamMembership
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db


def _opens(user, meeting) -> bool:
    try:
        with requestmemo.scope():
            meeting_get_visible(user=user, meeting_id=meeting.pk)
    except Http404:
        return False
    return True


@pytest.fixture
def people(meeting, mdt_case, breast_surgeon, coordinator, mdt_team, breast_team):
    services.agenda_populate(meeting=meeting, actor=coordinator)
    chair_only = UserFactory(username="chair-only", role=Role.NEUROSURGEON)
    coordinator_only = UserFactory(username="coord-only", role=Role.COORDINATOR,
                                   institution=TeamFactory(kind=Team.Kind.MDT).institution)
    member = UserFactory(username="mdt-member", role=Role.MEDICAL_ONCOLOGIST)
    add_member(mdt_team, member)
    meeting.chair, meeting.coordinator = chair_only, coordinator_only
    meeting.save(update_fields=["chair", "coordinator"])
    retired_chair = UserFactory(username="retired", role=Role.NEUROSURGEON, is_active=False)
    integration = UserFactory(username="ehr", role=Role.INTEGRATION)
    IntegrationGrant.objects.create(user=integration, team=breast_team)
    stranger_client = UserFactory(username="lab", role=Role.INTEGRATION)
    outsider_team = TeamFactory(kind=Team.Kind.BREAST)
    outsider = UserFactory(username="elsewhere", role=Role.BREAST_ONCOSURGEON)
    add_member(outsider_team, outsider)
    return {"chair": chair_only, "coordinator": coordinator_only, "mdt member": member,
            "invited": breast_surgeon, "case on agenda": breast_surgeon,
            "retired": retired_chair, "integration granted": integration,
            "integration not granted": stranger_client, "outsider": outsider}


def test_it_agrees_with_the_rule_for_every_kind_of_person(meeting, people) -> None:
    listed = set()
    for name, user in people.items():
        with requestmemo.scope():
            if meeting_list_visible_to(user=user).filter(pk=meeting.pk).exists():
                listed.add(name)
        assert _opens(user, meeting) == (name in listed), name
    # The rule itself, independently of the code under test: who should open it.
    assert listed == {"chair", "coordinator", "mdt member", "invited", "case on agenda",
                      "integration granted"}


def test_an_integration_client_named_chair_still_needs_a_grant(meeting, people) -> None:
    client = people["integration not granted"]
    meeting.chair = client
    meeting.save(update_fields=["chair"])
    assert not _opens(client, meeting)


def test_leaving_the_mdt_team_closes_the_meeting_on_the_next_request(meeting, people) -> None:
    member = people["mdt member"]
    assert _opens(member, meeting)
    TeamMembership.objects.filter(user=member).delete()  # the plain ORM, as a shell would
    assert not _opens(member, meeting)


def test_its_own_meeting_costs_its_row_and_the_persons_grants(
        meeting, people, django_assert_max_num_queries) -> None:
    """The chair: the meeting's row, and the granting rows the rest of the page reads anyway."""
    with requestmemo.scope(), django_assert_max_num_queries(2):
        meeting_get_visible(user=people["mdt member"], meeting_id=meeting.pk)
    with requestmemo.scope(), django_assert_max_num_queries(1):
        meeting_get_visible(user=people["chair"], meeting_id=meeting.pk, related=False)


def test_who_may_change_a_case_within_one_request(meeting, people, mdt_case, breast_surgeon,
                                                   oncologist,
                                                   django_assert_max_num_queries) -> None:
    """``case_can_change`` answers a member of the case's teams from the team ids the rule read
    for the request; an attendee who sees the case through the meeting only reads it; a member
    who left the team writes no more from the next request."""
    from cases.access import case_can_change, case_is_visible

    attendee = oncologist  # invited to the meeting that lists the case; not of its teams
    with requestmemo.scope():
        assert case_is_visible(user=attendee, case_id=mdt_case.pk)
        assert not case_can_change(user=attendee, case=mdt_case)
    with requestmemo.scope():
        case_is_visible(user=breast_surgeon, case_id=mdt_case.pk)  # the page reads the rule
        with django_assert_max_num_queries(0):
            assert case_can_change(user=breast_surgeon, case=mdt_case)
    TeamMembership.objects.filter(user=breast_surgeon, team_id=mdt_case.breast_team_id).delete()
    with requestmemo.scope():
        assert not case_can_change(user=breast_surgeon, case=mdt_case)
