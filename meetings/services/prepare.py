"""Preparing a case for the board (issue 18): its presenter (a clinician of the case's care
team) and the question, and the preliminary opinions of the invited clinicians, per specialty,
before the meeting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import audit
from cases.access import case_is_visible
from cases.models import AuditAction
from tumorboard.models import User
from tumorboard.roles import is_clinician

from .. import states
from ..models import AgendaItem, Attendance, MeetingStatus, PreliminaryOpinion, Specialty
from .meetings import is_runner, locked_meeting, record_event

#: Opinions are written before the meeting: while the agenda is planned or locked.
OPINION_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_LOCKED)


def may_present(user: User, item: AgendaItem) -> bool:
    """A presenter is an active clinician of the case's care team (who sees it: cases.access)."""
    return is_clinician(user) and case_is_visible(user=user, case_id=item.case_id)


@transaction.atomic
def opinion_record(*, item: AgendaItem, author: User, specialty: str,
                   text: str) -> PreliminaryOpinion:
    """An invited clinician (or the chair) writes, or rewrites, their opinion on an item for one
    specialty, before the meeting. The caller has found the item among those ``author`` sees."""
    meeting = locked_meeting(item.meeting)
    if meeting.status not in OPINION_STATUSES:
        raise states.IllegalMove(status=meeting.status, action="add_opinion")
    if not is_clinician(author):
        raise PermissionDenied("only a clinician gives a preliminary opinion")
    invited = Attendance.objects.filter(meeting=meeting, user=author).exists()
    if not invited and not is_runner(meeting, author):
        raise PermissionDenied("only a clinician invited to the meeting gives an opinion")
    if specialty not in Specialty.values:
        raise ValidationError({"specialty": "choose a specialty"})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "write the opinion"})
    if len(text) > 5000:
        raise ValidationError({"text": "at most 5000 characters"})
    opinion, created = PreliminaryOpinion.objects.update_or_create(
        item=item, author=author, specialty=specialty, defaults={"text": text})
    record_event(meeting, "opinion", author, item=item.pk, specialty=specialty,
                 opinion=opinion.pk)
    audit.record(actor=author, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                 obj=opinion, case=item.case, detail={"specialty": specialty})
    return opinion
