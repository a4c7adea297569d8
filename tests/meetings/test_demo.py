"""Demo meetings: a finalized one with decisions, a planned one with its agenda; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.models import AgendaItem, Decision, Meeting, MeetingEvent
from tumorboard.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_past_and_an_upcoming_meeting_once(client) -> None:
    call_command("seed_demo", verbosity=0)
    first = (Meeting.objects.count(), AgendaItem.objects.count(), Decision.objects.count(),
             MeetingEvent.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Meeting.objects.count(), AgendaItem.objects.count(), Decision.objects.count(),
            MeetingEvent.objects.count()) == first
    past = Meeting.objects.get(status="finalized")
    upcoming = Meeting.objects.get(status="planned")
    assert past.items.count() == Decision.objects.filter(item__meeting=past).count() >= 2
    assert Decision.objects.filter(follows_recommendation=False).exclude(override_reason="")
    assert upcoming.items.exists() and upcoming.attendances.count() >= 5
    client.force_login(User.objects.get(username="coordinator"))
    page = client.get(reverse("meetings:meeting-detail", args=[upcoming.pk]))
    assert page.status_code == 200 and len(page.context["items"]) == upcoming.items.count()
    home = client.get(reverse("home-coordinator"))
    assert upcoming in home.context["upcoming_meetings"]
