"""Decisions: the board's decision on each item, finalizing the meeting (quorum, the listed
referrals closed, the ``decisions_finalized`` signal) and the follow-up of a decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.access import care_team_add
from cases.models import AuditAction, CareTeamReason, Case
from cases.polling import touch_cases
from referrals.models import AlertKind
from referrals.services import case_alerts_create, radiotherapy_referral_from_decision
from scoring.calculators import NomsPathway, Urgency
from tumorboard.errors import Conflict
from tumorboard.labels import label
from tumorboard.models import User
from tumorboard.roles import is_clinician
from tumorboard.services import required_text

from .. import selectors, signals, snapshot, states
from ..models import AgendaItem, Decision, Meeting
from ..states import Action, Operation
from .meetings import is_runner, locked_meeting, record_event, require_runner


class QuorumNotMet(Conflict):
    """Finalizing needs a present breast oncosurgeon, neurosurgeon and radiation oncologist
    (meetings.conf), unless the chair records why (HTTP 409)."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        roles = ", ".join(role.replace("_", " ") for role in missing)
        super().__init__(f"no quorum: nobody recorded present as {roles}; the chair may finalize "
                         f"without quorum by giving quorum_override_reason")

    def payload(self) -> dict[str, object]:
        return {"detail": str(self), "status": "in_session", "missing_roles": self.missing,
                "allowed_actions": states.allowed_actions("in_session")}


class DecisionConflict(Conflict):
    """The decision changed since the client read it (another tab, another coordinator): nothing
    is saved; the client sees the stored decision and decides again (HTTP 409)."""

    def __init__(self, *, item: AgendaItem, current: Decision | None, expected: int) -> None:
        self.item, self.current, self.expected = item, current, expected
        self.current_version = current.version if current is not None else 0
        super().__init__(f"the decision on agenda item {item.position} changed since you read it "
                         f"(you read version {expected}, it is now at version "
                         f"{self.current_version}): read it again")

    def payload(self) -> dict[str, object]:
        stored = None
        if self.current is not None:
            stored = {"pathway": self.current.pathway,
                      "stabilisation": self.current.stabilisation,
                      "urgency": self.current.urgency, "responsible": self.current.responsible_id,
                      "rationale": self.current.rationale,
                      "override_reason": self.current.override_reason,
                      "decided_by": self.current.decided_by_id,
                      "decided_at": self.current.decided_at.isoformat()}
        status = self.item.meeting.status
        return {"detail": str(self), "status": status,
                "allowed_actions": states.allowed_actions(status), "field": "version",
                "item": self.item.pk, "current_version": self.current_version,
                "current": stored}


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    actor: User,
    pathway: str,
    rationale: str,
    responsible: User,
    stabilisation: bool = False,
    urgency: str = "",
    override_reason: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Record (or correct, during the session) the board's decision on one item.

    ``follows_recommendation`` is computed: the pathway equals the NOMS pathway of the item's
    snapshot (CLINICAL.md §7), and stabilisation is not dropped when the service required it. An
    override needs ``override_reason``. An item whose case could not be scored has no
    recommendation: the decision is then an override and needs the reason too.

    ``expected_version`` is the decision's version the client read (0: there was none yet); when
    the stored one differs, ``DecisionConflict`` and nothing changes (two tabs, two coordinators
    and the chair at once: no lost update). The meeting row lock orders concurrent writers."""
    meeting = locked_meeting(item.meeting)
    require_runner(meeting, actor)
    states.require(meeting.status, Operation.DECIDE)
    stored = (Decision.objects.filter(item=item).select_related("responsible", "decided_by")
              .first())
    if expected_version is not None and expected_version != (stored.version if stored else 0):
        raise DecisionConflict(item=item, current=stored, expected=expected_version)
    if pathway not in NomsPathway._value2member_map_:
        raise ValidationError({"pathway": f"one of {', '.join(p.value for p in NomsPathway)}"})
    if urgency and urgency not in Urgency._value2member_map_:
        raise ValidationError({"urgency": "red, orange or green"})
    rationale = required_text(rationale, "rationale", "give the rationale of the decision")
    if not is_clinician(responsible):
        raise ValidationError({"responsible": "the responsible clinician is an active clinician"})
    recommended_pathway, recommended_stab = snapshot.recommended(item.snapshot)
    follows = bool(recommended_pathway) and pathway == recommended_pathway and not (
        recommended_stab and not stabilisation)
    override_reason = (override_reason or "").strip()
    if not follows and not override_reason:
        what = (f"the service recommended {label(recommended_pathway, 'pathway')}"
                + (" with stabilisation" if recommended_stab else "")
                if recommended_pathway else "the service had no recommendation for this case")
        raise ValidationError({"override_reason": f"say why the board departs from the "
                                                  f"recommendation ({what})"})
    decision = stored or Decision(item=item)
    changed = decision.pk is not None
    decision.version = decision.version + 1 if changed else 1
    decision.pathway, decision.stabilisation, decision.urgency = pathway, stabilisation, urgency
    decision.responsible, decision.rationale = responsible, rationale
    decision.recommended_pathway = recommended_pathway
    decision.recommended_stabilisation = recommended_stab
    decision.follows_recommendation = follows
    decision.override_reason = "" if follows else override_reason
    decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.full_clean(exclude=["item", "responsible", "decided_by"])
    decision.save()
    record_event(meeting, "decision", actor, item=item.pk, case=item.case_id, pathway=pathway,
           follows_recommendation=follows, corrected=changed)
    audit.record(actor=actor, action=AuditAction.UPDATE if changed else AuditAction.CREATE,
                 obj=decision, case=item.case,
                 detail={"pathway": pathway, "follows_recommendation": follows,
                         "version": decision.version})
    _responsible_joins(decision, item.case, actor)
    touch_cases([item.case_id])  # the case's decisions are shown with it
    return decision


def _responsible_joins(decision: Decision, case: Case, actor: User) -> None:
    """The responsible clinician joins the case's care team (audited, cases.access) and is
    alerted, once per decision and person: they must see the case to carry the decision out."""
    care_team_add(case=case, user=decision.responsible, actor=actor,
                  reason=CareTeamReason.DECISION_RESPONSIBLE)
    case_alerts_create(case=case, recipients=[decision.responsible],
                       kind=AlertKind.DECISION_RESPONSIBLE, step=decision.pk)


@transaction.atomic
def meeting_finalize(*, meeting: Meeting, actor: User, quorum_override_reason: str = "") -> Meeting:
    """in_session -> finalized. Needs a decision on every item and quorum (meetings.conf), or the
    chair's recorded reason. Every open referral of the decided cases is closed and linked to
    its decision (referrals' state machine)."""
    from referrals.services import referrals_close_for_decision

    meeting = locked_meeting(meeting)
    require_runner(meeting, actor)
    move = states.move_for(meeting.status, Action.FINALIZE)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("decision")
                 .order_by("position"))
    undecided = [item.position for item in items if not hasattr(item, "decision")]
    if undecided:
        raise ValidationError({"items": f"no decision yet on agenda item(s) "
                                        f"{', '.join(map(str, undecided))}"})
    quorum = selectors.quorum_state(selectors.attendance_rows(meeting=meeting))
    reason = (quorum_override_reason or "").strip()
    if not quorum["met"]:
        if not reason:
            raise QuorumNotMet(quorum["missing"])
        if actor.pk != meeting.chair_id:
            raise PermissionDenied("only the chair may finalize without quorum")
    now = timezone.now()
    previous = meeting.status
    meeting.status, meeting.finalized_at = move.to_status, now
    meeting.quorum_met = bool(quorum["met"])
    meeting.quorum_override_reason = "" if quorum["met"] else reason
    meeting.save(update_fields=["status", "finalized_at", "quorum_met", "quorum_override_reason",
                                "updated_at"])
    record_event(meeting, Action.FINALIZE, actor, from_status=previous, to_status=meeting.status,
           note=meeting.quorum_override_reason, quorum_missing=quorum["missing"])
    # Sent inside this transaction: a receiver's writes (the webhook outbox rows of
    # integrations.receivers) commit or roll back with the finalize.
    signals.decisions_finalized.send(sender=Meeting, meeting=meeting)
    case_ids = [item.case_id for item in items]
    # Every open referral of a decided case is resolved and linked to the decision.
    closed = referrals_close_for_decision(
        decisions={item.case_id: item.decision.pk for item in items}, actor=actor,
        meeting_id=meeting.pk)
    # A decision for srs or cebrt refers the case to radiation oncology (CLINICAL.md §15-§16).
    for item in items:
        radiotherapy_referral_from_decision(
            case=item.case, pathway=item.decision.pathway, urgency=item.decision.urgency,
            actor=actor, decision_id=item.decision.pk)
    audit.record(actor=actor, action=AuditAction.TRANSITION, obj=meeting, case_ids=case_ids,
                 detail={"from": previous, "to": meeting.status, "quorum": quorum["met"],
                         "referrals_closed": closed})
    return meeting


@transaction.atomic
def decision_follow_up(*, decision: Decision, actor: User, carried_out: bool,
                       carried_out_at: date | None = None, note: str = "") -> Decision:
    """Whether the decision was carried out, and when (editable after the meeting; CLINICAL.md
    §14 counts it at 30 and 90 days)."""
    meeting = locked_meeting(decision.item.meeting)
    if not is_runner(meeting, actor) and actor.pk != decision.responsible_id:
        raise PermissionDenied("the coordinator, the chair or the responsible clinician records "
                               "the follow-up")
    states.require(meeting.status, Operation.FOLLOW_UP)
    if carried_out and carried_out_at is None:
        raise ValidationError({"carried_out_at": "give the date it was carried out"})
    if not carried_out and carried_out_at is not None:
        raise ValidationError({"carried_out_at": "a date only when it was carried out"})
    if carried_out_at is not None and carried_out_at < decision.decided_at.date():
        raise ValidationError({"carried_out_at": "cannot be before the decision"})
    if carried_out_at is not None and carried_out_at > timezone.localdate():
        raise ValidationError({"carried_out_at": "cannot be in the future"})
    decision.carried_out, decision.carried_out_at = carried_out, carried_out_at
    decision.follow_up_note = (note or "").strip()
    decision.save(update_fields=["carried_out", "carried_out_at", "follow_up_note"])
    record_event(meeting, "follow_up", actor, decision=decision.pk, carried_out=carried_out,
           carried_out_at=carried_out_at.isoformat() if carried_out_at else None)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=decision, case=decision.item.case,
                 detail={"carried_out": carried_out})
    return decision
