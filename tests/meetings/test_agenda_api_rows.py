"""The agenda endpoint reads whether an item is locked and its recommended pathway in SQL,
never the snapshot (meetings.selectors.items_for_api, issue 22): its answer is the one the
snapshot itself gives (``meetings.snapshot.recommended``), before and after the lock, with a
decision recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from meetings import selectors, services
from meetings.models import AgendaItem
from meetings.serializers import AgendaItemSerializer
from tests.factories import on_its_day

pytestmark = pytest.mark.django_db


def _from_the_snapshot(user, meeting) -> list[dict]:
    """The agenda from the whole rows and snapshots, through DRF's own walk over the fields
    (AgendaItemSerializer writes the walk out by hand)."""
    from rest_framework import serializers as drf

    items = list(selectors.items_visible_to(user=user, meeting=meeting))
    assert all("snapshot" not in item.get_deferred_fields() for item in items)
    serializer = AgendaItemSerializer()
    return [dict(drf.Serializer.to_representation(serializer, item)) for item in items]


def test_the_agenda_answers_as_the_snapshot_does(meeting, coordinator, neurosurgeon,
                                                 mdt_case) -> None:
    api = APIClient()
    api.force_authenticate(coordinator)
    url = reverse("api-meeting-agenda", args=[meeting.pk])
    services.agenda_populate(meeting=meeting, actor=coordinator)
    planned = api.get(url).json()
    assert planned == _from_the_snapshot(coordinator, meeting)
    assert planned and all(row["locked"] is False for row in planned)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    services.meeting_start(meeting=on_its_day(meeting), actor=coordinator)
    item = AgendaItem.objects.get(meeting=meeting)
    services.decision_record(item=item, actor=coordinator, pathway="cebrt",
                             rationale="Low grade, radiosensitive.", responsible=neurosurgeon,
                             urgency="green")
    locked = api.get(url).json()
    assert locked == _from_the_snapshot(coordinator, meeting)
    (row,) = locked
    assert row["locked"] is True and row["recommended_pathway"] == "cebrt"
    assert row["decision"]["pathway"] == "cebrt"


def test_an_unscored_locked_item_has_no_recommended_pathway(meeting, coordinator,
                                                            mdt_case) -> None:
    services.agenda_populate(meeting=meeting, actor=coordinator)
    services.meeting_lock(meeting=meeting, actor=coordinator)
    item = AgendaItem.objects.get(meeting=meeting)
    item.snapshot = {**item.snapshot, "assessment": None}
    item.save(update_fields=["snapshot"])
    (row,) = AgendaItemSerializer(
        selectors.items_for_api(user=coordinator, meeting=meeting), many=True).data
    assert row["locked"] is True and row["recommended_pathway"] is None
    assert [row] == _from_the_snapshot(coordinator, meeting)
