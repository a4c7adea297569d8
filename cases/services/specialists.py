"""Palliative care and rehabilitation on a case (issue 19; S2 §6.2, §7, Table 3): a clinician of
the case's care team adds a palliative care physician or a physiotherapist of the same hospital to
it; from then on the case is theirs to see and record on (cases.access: the care team)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from tumorboard.models import User
from tumorboard.roles import SPECIALIST_ROLES

from .. import audit
from ..access import care_team_add
from ..models import AuditAction, CareTeamMember, Case
from ..models.access import CareTeamReason
from .common import require_change


def specialists_available(case: Case) -> QuerySet[User]:
    """The active palliative care physicians and physiotherapists of the case's hospital not yet
    in its care team."""
    return (User.objects.filter(is_active=True, role__in=SPECIALIST_ROLES,
                                institution_id=case.patient.institution_id)
            .exclude(care_team_cases__case=case).order_by("role", "last_name", "pk"))


def case_specialists(case: Case) -> tuple[list[User], list[User]]:
    """(in the care team, available to add): the palliative care physicians and physiotherapists
    of the case's hospital, in one query (the case page's budget)."""
    people = list(
        User.objects.filter(role__in=SPECIALIST_ROLES, institution_id=case.patient.institution_id)
        .annotate(in_team=Exists(CareTeamMember.objects.filter(case=case, user_id=OuterRef("pk"))))
        .order_by("role", "last_name", "pk"))
    return ([person for person in people if person.in_team],
            [person for person in people
             if not person.in_team and person.is_active])


@transaction.atomic
def specialist_add(*, case: Case, user: User, actor: User) -> CareTeamMember:
    """Add a palliative care physician or a physiotherapist to the care team (audited)."""
    require_change(actor, case)
    if user.role not in SPECIALIST_ROLES or not user.is_active:
        raise ValidationError({"user": "choose an active palliative care physician or "
                                       "physiotherapist"})
    if user.institution_id != case.patient.institution_id:
        raise ValidationError({"user": "not a person of this patient's hospital"})
    if not care_team_add(case=case, user=user, reason=CareTeamReason.SPECIALIST_CARE,
                         actor=actor):
        raise ValidationError({"user": "already in the care team"})
    member = CareTeamMember.objects.get(case=case, user=user)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=member, case=case,
                 detail={"user": user.pk, "role": user.role})
    return member
