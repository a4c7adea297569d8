"""The referral to radiation oncology (CLINICAL.md §15-§16; S2 §7): after separation surgery (a
surgeon of the case refers), or from a finalized MDT decision for ``srs`` or ``cebrt`` (the
meetings app calls ``radiotherapy_referral_from_decision``). It is a referral like the surgical
ones: the same state machine, due time (§9), escalation (§9a) and alerts; it goes to the radiation
oncology service of the patient's institution, whose members see the case while it is theirs
(``radiation_access``) and whose clinician who takes it joins the care team (to plan).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import audit
from cases.access import GrantingRows, care_team_add, case_can_change, db_datetime
from cases.models import AuditAction, CareTeamReason, Case
from scoring.calculators import Urgency, urgency_due_at
from tumorboard.models import User
from tumorboard.roles import Role

from ..models import OPEN_STATUSES, TO_RADIATION_ONCOLOGY, Referral, ReferralStatus
from .events import event_write
from .raising import _send
from .teams import is_member, teams_for

#: Who refers after surgery: the surgeons of the case (and its medical oncologists).
REFERRING_ROLES = (Role.NEUROSURGEON, Role.BREAST_ONCOSURGEON, Role.MEDICAL_ONCOLOGIST)
#: MDT pathways that go to radiation oncology at once (CLINICAL.md §15).
RADIOTHERAPY_PATHWAYS = ("srs", "cebrt")
#: After separation surgery the plan starts 14-28 days after the operation (§16): the referral is
#: due 7 days after surgery at the latest (§15's task), green by default.
DEFAULT_URGENCY = Urgency.GREEN


def _raise(*, case: Case, actor: User, urgency: str, reason: str,
           mdt_decision_id: int | None = None) -> Referral:
    sending_team, receiving_team = teams_for(case, TO_RADIATION_ONCOLOGY)
    if receiving_team is None:
        raise ValidationError({"case": "the institution has no radiation oncology service"})
    if Referral.objects.filter(case=case, direction=TO_RADIATION_ONCOLOGY,
                               status__in=OPEN_STATUSES).exists():
        raise ValidationError({"case": "a radiation oncology referral of this case is open"})
    if urgency not in Urgency._value2member_map_:
        raise ValidationError({"urgency": "give red, orange or green"})
    now = timezone.now()
    sender = actor if sending_team is not None and is_member(actor, sending_team.pk) else None
    referral = Referral(
        case=case, direction=TO_RADIATION_ONCOLOGY, sender=sender, raised_by=actor,
        sending_team=sending_team, receiving_team=receiving_team, urgency=urgency,
        urgency_rationale=reason, due_at=urgency_due_at(Urgency(urgency), now), note=reason,
        mdt_decision_id=None,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as error:  # a concurrent raise won
        raise ValidationError({"case": "a radiation oncology referral of this case is open"}
                              ) from error
    event_write(referral, "raise", actor, to_status=ReferralStatus.RAISED, at=now,
                urgency=urgency, mdt_decision=mdt_decision_id)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=referral, case=case,
                 detail={"direction": TO_RADIATION_ONCOLOGY, "urgency": urgency,
                         "mdt_decision": mdt_decision_id})
    _send(referral, actor, now)
    return referral


@transaction.atomic
def radiotherapy_referral_raise(*, case: Case, actor: User, reason: str,
                                urgency: str = DEFAULT_URGENCY.value) -> Referral:
    """A clinician of the case refers it to radiation oncology (after separation surgery)."""
    if actor.role not in REFERRING_ROLES or not case_can_change(user=actor, case=case):
        raise PermissionDenied("a surgeon or oncologist of the case refers to radiation oncology")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say what the radiation oncologist is asked to do"})
    return _raise(case=case, actor=actor, urgency=urgency, reason=reason)


def radiotherapy_referral_from_decision(*, case: Case, pathway: str, urgency: str,
                                        actor: User, decision_id: int) -> Referral | None:
    """A finalized MDT decision for ``srs`` or ``cebrt`` refers the case to radiation oncology
    with the decision's urgency (§15); None for another pathway, when a radiotherapy referral is
    already open, or when the institution has no radiation oncology service."""
    if pathway not in RADIOTHERAPY_PATHWAYS:
        return None
    try:
        with transaction.atomic():
            return _raise(case=case, actor=actor, urgency=urgency or DEFAULT_URGENCY.value,
                          reason=f"MDT decision: {pathway}; plan and start radiotherapy.",
                          mdt_decision_id=decision_id)
    except ValidationError:
        return None


def join_care_team(referral: Referral, actor: User) -> None:
    """The radiation oncologist who takes a radiotherapy referral joins the case's care team, so
    that they record the plan (cases.access)."""
    if referral.direction == TO_RADIATION_ONCOLOGY and actor.is_clinician:
        care_team_add(case=referral.case, user=actor, reason=CareTeamReason.REFERRAL_RECEIVER,
                      actor=actor)


#: A radiation oncology team keeps seeing a case this long after its referral closed.
RECENT = timedelta(days=180)


def radiation_access(user: User) -> GrantingRows | None:
    """Registered with cases.access: a radiation oncologist sees the cases referred to their
    radiation oncology service (open referrals, and those closed in the last 180 days).

    As SQL, read with the person's other granting rows once per request (cases.access); a
    test holds it to the same rows written with the ORM."""
    if getattr(user, "role", "") != Role.RADIATION_ONCOLOGIST:
        return None
    since = timezone.now() - RECENT
    return GrantingRows(
        "SELECT referral.case_id FROM referrals_referral referral"
        " WHERE referral.direction = %s AND referral.receiving_team_id IN"
        " (SELECT team_id FROM tumorboard_teammembership WHERE user_id = %s)"
        # The six OPEN_STATUSES (one more or less: the query fails, loudly, in every test).
        " AND (referral.status IN (%s, %s, %s, %s, %s, %s) OR referral.updated_at >= %s)",
        (str(TO_RADIATION_ONCOLOGY), user.pk, *map(str, OPEN_STATUSES), db_datetime(since)))
