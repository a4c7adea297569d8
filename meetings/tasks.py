"""Celery tasks of the meetings app: thin, ids only (task arguments sit in plain text in the
broker), idempotent, so a retry or a redelivery is harmless."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError

from . import invitations, packet


@shared_task(
    bind=True,
    name="meetings.tasks.render_packet",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
    ignore_result=True,
)
def render_packet(self: Task, packet_id: int) -> bool:
    return packet.packet_render(packet_id=int(packet_id))


@shared_task(
    bind=True,
    name="meetings.tasks.send_invitations",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    ignore_result=True,
)
def send_invitations(self: Task, meeting_id: int) -> int:
    return invitations.invitations_send(meeting_id=int(meeting_id))
