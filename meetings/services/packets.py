"""Packets: the meeting packet or minutes PDF asked for by one person, rendered by a worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tumorboard.models import User

from ..models import Meeting, MeetingStatus, Packet, PacketKind, PacketStatus
from ..states import IllegalMove
from .meetings import locked_meeting, record_event


@transaction.atomic
def packet_request(*, meeting: Meeting, kind: str, actor: User) -> Packet:
    """Ask for the packet (or, once finalized, the minutes) of ``meeting`` for ``actor``: the
    PDF holds only the cases ``actor`` may see, and is rendered by a worker
    (meetings.tasks.render_packet), never in the request. A request while one is pending or
    rendering returns it; otherwise it renders again (the agenda may have changed)."""
    if kind not in PacketKind.values:
        raise ValidationError({"kind": "packet or minutes"})
    meeting = locked_meeting(meeting)
    if kind == PacketKind.MINUTES and meeting.status != MeetingStatus.FINALIZED:
        raise IllegalMove(status=meeting.status, action="minutes")
    packet, created = Packet.objects.select_for_update().get_or_create(
        meeting=meeting, kind=kind, audience=actor,
        defaults={"requested_at": timezone.now()})
    if not created and packet.status in (PacketStatus.PENDING, PacketStatus.RENDERING):
        # A task lost with its broker, or a worker that died mid-render: asking again re-sends
        # it (the claim in meetings.packet makes a duplicate harmless).
        from ..packet import STALE_PENDING, STALE_RENDER
        from ..tasks import render_packet

        now = timezone.now()
        if ((packet.status == PacketStatus.PENDING and packet.requested_at < now - STALE_PENDING)
                or (packet.status == PacketStatus.RENDERING and packet.started_at is not None
                    and packet.started_at < now - STALE_RENDER)):
            render_packet.delay_on_commit(packet.pk)
        return packet
    if not created:
        packet.status, packet.requested_at, packet.error = PacketStatus.PENDING, timezone.now(), ""
        packet.attempts = 0
        packet.save(update_fields=["status", "requested_at", "error", "attempts"])
    record_event(meeting, "packet_request", actor, packet=packet.pk, kind=kind)
    from ..tasks import render_packet

    render_packet.delay_on_commit(packet.pk)
    return packet
