"""The referral pathway: referrals with their triggers, event rows, the occult-primary work-up,
and alerts (CLINICAL.md §8-§9; DESIGN.md, Referral and Alert).

Every status change is a ``ReferralEvent`` row (healthchecks' Flip): it drives the alerts and the
metrics. The rules of the moves live in ``referrals.states``; the writes in ``referrals.services``.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from scoring.calculators import ReferralDirection, TriggerCode, Urgency
from tumorboard.models import Team


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


DIRECTION_CHOICES = [
    (ReferralDirection.BREAST_TO_NEURO.value, "Breast oncology to neurosurgery"),
    (ReferralDirection.NEURO_TO_BREAST.value, "Neurosurgery to breast oncology"),
]
URGENCY_CHOICES = _choices(Urgency)
TRIGGER_CHOICES = _choices(TriggerCode)


class ReferralStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    INFO_REQUESTED = "info_requested", "Information requested"
    LISTED_FOR_MDT = "listed_for_mdt", "Listed for MDT"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


#: A referral in one of these is "open": at most one per case and direction (DB constraint).
OPEN_STATUSES = (
    ReferralStatus.RAISED, ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.INFO_REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.LISTED_FOR_MDT,
)  # fmt: skip
#: Waiting for the receiving team's triage decision: these count as overdue past ``due_at``.
AWAITING_TRIAGE = (ReferralStatus.RAISED, ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED)


#: What the receiving team still has to act on: the triage queue (referrals.selectors).
QUEUE_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED,
                  ReferralStatus.INFO_REQUESTED, ReferralStatus.ACCEPTED)

#: The triage queue's order of urgencies (CLINICAL.md §9): red 0, orange 1, green 2, none 3.
QUEUE_RANK = models.Case(
    models.When(urgency="red", then=models.Value(0)),
    models.When(urgency="orange", then=models.Value(1)),
    models.When(urgency="green", then=models.Value(2)),
    default=models.Value(3), output_field=models.SmallIntegerField(),
)


class Referral(models.Model):
    Status = ReferralStatus

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    direction = models.CharField(max_length=20, choices=DIRECTION_CHOICES)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.RAISED)
    urgency = models.CharField(max_length=8, choices=URGENCY_CHOICES, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    urgency_rationale = models.TextField(blank=True)
    # The sending side is the team on the origin side of the direction (the breast team for
    # breast-to-neuro), whoever recorded the data that raised the referral. ``sender`` is the
    # clinician of that side who raised it, or null when the service raised it from data another
    # team recorded (a neurosurgeon's imaging firing a breast-to-neuro trigger); ``raised_by`` is
    # always who recorded it (referrals.recipients).
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="referrals_sent")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="referrals_raised")
    sending_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="referrals_out")
    receiving_team = models.ForeignKey(Team, on_delete=models.PROTECT,
                                       related_name="referrals_in")
    # The receiving clinician who took it (set by acknowledge).
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="referrals_taken")
    decline_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    info_question = models.TextField(blank=True)
    info_answer = models.TextField(blank=True)
    note = models.TextField(blank=True)
    # The finalized MDT decision that resolved it (meetings.services.meeting_finalize): the
    # decision's id, not a foreign key, since meetings sits above referrals (DESIGN.md, Layers).
    mdt_decision_id = models.PositiveBigIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # accepted or declined
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA escalation (referrals.services.escalate_due): 0 none yet, 1 rest of the team,
    # 2 lead and MDT coordinators. ``escalation_due_at`` is when the next step is due.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalation_due_at = models.DateTimeField(null=True, blank=True)

    # The triage queue's rank (CLINICAL.md §9: red first, then orange, green, none), stored and
    # indexed so that a page of the queue is read in order from ``referral_queue_order_idx``
    # instead of sorting every row of the queue. A column the database computes from
    # ``urgency`` (STORED generated column): right after any write, through the services, the
    # admin, ``QuerySet.update`` or SQL, with no code to keep in step. It depends on the urgency
    # alone, whatever the direction.
    queue_rank = models.GeneratedField(expression=QUEUE_RANK,
                                       output_field=models.SmallIntegerField(), db_persist=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "direction"], condition=Q(status__in=OPEN_STATUSES),
                name="referral_one_open_per_case_direction",
            ),
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values),
                                   name="referral_status_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=[value for value, _ in DIRECTION_CHOICES]),
                name="referral_direction_valid",
            ),
            models.CheckConstraint(
                condition=Q(urgency="") | Q(urgency__in=Urgency._value2member_map_),
                name="referral_urgency_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
            models.CheckConstraint(condition=Q(escalation_level__lte=2),
                                   name="referral_escalation_level_range"),
        ]
        indexes = [
            # referrals.services.escalate_due: status='sent' AND escalation_due_at <= now.
            models.Index(fields=["escalation_due_at"], condition=Q(status=ReferralStatus.SENT),
                         name="referral_escalation_due_idx"),
            # The triage queue: a receiving team's open referrals.
            models.Index(fields=["receiving_team", "status"], name="referral_team_status_idx"),
            # The triage queue's page: a receiving team's queue in its order (rank, due time,
            # newest first), so that PostgreSQL reads the first rows of the page and stops
            # (referrals.selectors.triage_queue).
            models.Index(fields=["receiving_team", "queue_rank", "due_at", "-id"],
                         condition=Q(status__in=QUEUE_STATUSES),
                         name="referral_queue_order_idx"),
            # The poll of REST clients: ?updated_since=...
            models.Index(fields=["updated_at"], name="referral_updated_at_idx"),
            # meetings.agenda: the candidates of agenda population are the cases of accepted or
            # listed referrals, a few hundred among every referral of the hospital.
            models.Index(fields=["case"], name="referral_agenda_candidate_idx",
                         condition=Q(status__in=[ReferralStatus.ACCEPTED,
                                                 ReferralStatus.LISTED_FOR_MDT])),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} ({self.direction}, {self.status})"

    @property
    def awaiting_triage(self) -> bool:
        """Whether the due-time clock runs: no triage decision yet (what makes it overdue)."""
        return self.status in AWAITING_TRIAGE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TriggerSource(models.TextChoices):
    RULES = "rules", "Rules (CLINICAL.md §8)"
    MANUAL = "manual", "Flagged by hand"


class ReferralTrigger(models.Model):
    """One fired trigger of CLINICAL.md §8 with the core's evidence (levels and values only)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="triggers")
    code = models.CharField(max_length=32, choices=TRIGGER_CHOICES)
    evidence = models.TextField()
    source = models.CharField(max_length=8, choices=TriggerSource.choices,
                              default=TriggerSource.RULES)
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fired_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "code"], name="referral_trigger_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class ReferralEvent(models.Model):
    """Every transition and every other thing that happens to a referral (raise, extend,
    escalate): who, when, from, to, why. Written in the transaction of the change."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")  # null: the system (beat)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}->{self.to_status}"


class OccultWorkupItem(models.Model):
    """One item of the occult-primary work-up a neuro-to-breast referral carries (§8, S2 §3.1)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="workup_items")
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "code"], name="workup_item_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class AlertKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    REFERRAL_UPDATED = "referral_updated", "New triggers on a referral"
    SYSTEMIC_THERAPY_HOLD = "systemic_therapy_hold", "Hold or adjust systemic therapy"
    INFO_REQUESTED = "info_requested", "Information requested"
    ANSWERED = "answered", "Question answered"
    DECIDED = "decided", "Triage decision"
    CANCELLED = "cancelled", "Referral cancelled"
    DECISION_RESPONSIBLE = "decision_responsible", "You are responsible for an MDT decision"
    ESCALATION_TEAM = "escalation_team", "Escalation: receiving team"
    ESCALATION_LEAD = "escalation_lead", "Escalation: lead and coordinator"
    WEEKEND_WATCH = "weekend_watch", "Due before the next working day"


class Alert(models.Model):
    """A notification to one person about one referral: in-app (this row, from its commit) and by
    e-mail (``sent_at``). The rows are the outbox: referrals.services.resend_unsent_alerts
    re-enqueues any still unsent. Exactly-once delivery: referrals.alerts.alert_deliver."""

    Kind = AlertKind

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="alerts")
    # A referral's alert names it; an alert about a case without a referral (the responsible
    # clinician of an MDT decision) names the case only.
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="alerts")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="alerts")
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    # The escalation level, or for a repeatable kind the event that caused it; 0 otherwise.
    step = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # last delivery attempt
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    email_skipped = models.BooleanField(default=False)  # no address: in-app only
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "recipient", "kind", "step"],
                                    name="alert_dedupe_key"),
            models.UniqueConstraint(fields=["case", "recipient", "kind", "step"],
                                    condition=Q(referral=None), name="alert_case_dedupe_key"),
            models.CheckConstraint(condition=Q(referral__isnull=False) | Q(case__isnull=False),
                                   name="alert_names_referral_or_case"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values),
                                   name="alert_kind_valid"),
        ]
        indexes = [
            # referrals.services.resend_unsent_alerts: sent_at IS NULL AND created_at < cutoff.
            models.Index(fields=["created_at"], condition=Q(sent_at=None),
                         name="alert_outbox_idx"),
            # The bell: a recipient's unacknowledged alerts.
            models.Index(fields=["recipient"], condition=Q(acknowledged_at=None),
                         name="alert_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.kind})"
