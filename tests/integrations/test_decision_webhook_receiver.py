"""The decision webhook goes out through meetings' ``decisions_finalized`` signal (meetings never
imports integrations, DESIGN.md layers): the receiver is connected, and finalizing a meeting
writes the outbox rows in the finalize's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from integrations import receivers
from integrations.models import WebhookDelivery, WebhookSubscription
from meetings import services
from meetings.models import Meeting
from meetings.signals import decisions_finalized
from tests.api.conftest import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(breast_surgeon, neurosurgeon, coordinator, oncologist, breast_team, spine_team,
            mdt_team, his):
    """A meeting in session with its decision recorded and everyone present, not finalized; the
    integration client subscribed to decision.finalized."""
    world = build_world(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                        coordinator=coordinator, oncologist=oncologist, breast_team=breast_team,
                        spine_team=spine_team, mdt_team=mdt_team, finalize=False)
    for attendance in world.meeting.attendances.all():
        services.attendance_record(meeting=world.meeting, user_id=attendance.user_id,
                                   present=True, actor=coordinator)
    WebhookSubscription.objects.create(owner=his.user, url="https://his.example/hook",
                                       events=["decision.finalized"], secret="s" * 64)
    return world


def test_the_decision_webhook_receiver_is_connected() -> None:
    assert decisions_finalized.has_listeners(Meeting)
    # Connecting again (ready() run twice) adds nothing: the dispatch_uid is already there.
    before = len(decisions_finalized.receivers)
    receivers.connect()
    assert len(decisions_finalized.receivers) == before


def test_finalizing_a_meeting_writes_one_outbox_row_per_decision(decided, coordinator) -> None:
    rows = WebhookDelivery.objects.filter(event="decision.finalized")
    assert not rows.exists()
    services.meeting_finalize(meeting=decided.meeting, actor=coordinator)
    row = rows.get()
    assert row.payload["data"]["decision"] == decided.decision.pk
    assert row.payload["data"]["meeting"] == decided.meeting.pk


def test_a_finalize_rolled_back_leaves_no_outbox_row(decided, coordinator) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.meeting_finalize(meeting=decided.meeting, actor=coordinator)
        assert WebhookDelivery.objects.filter(event="decision.finalized").count() == 1
        raise RuntimeError("the finalize fails after the signal")
    assert not WebhookDelivery.objects.exists()


def test_nothing_under_meetings_imports_integrations() -> None:
    """DESIGN.md, layers: a lower app never imports a higher one, not even inside a function."""
    import ast
    from pathlib import Path

    import meetings

    root = Path(meetings.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {name}" for name in names
                      if name == "integrations" or name.startswith("integrations.")]
    assert found == []
