"""The referral pathway: referrals with their triggers, event rows, the occult-primary work-up,
and alerts (CLINICAL.md §8-§9; DESIGN.md, Referral and Alert).

Every status change is a ``ReferralEvent`` row (healthchecks' Flip): it drives the alerts and the
metrics. The rules of the moves live in ``referrals.states``; the writes in ``referrals.services``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from scoring.calculators import ReferralDirection, TriggerCode, Urgency
from tumorboard.models import Team


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


#: A referral to radiation oncology (CLINICAL.md §15-§16): after separation surgery, or from an
#: MDT decision for ``srs`` or ``cebrt``. Raised by a clinician or by the decision, never by the
#: §8 rules, so it is not a direction of the scoring core.
TO_RADIATION_ONCOLOGY = "to_radiation"
DIRECTION_CHOICES = [
    (ReferralDirection.BREAST_TO_NEURO.value, "Breast oncology to neurosurgery"),
    (ReferralDirection.NEURO_TO_BREAST.value, "Neurosurgery to breast oncology"),
    (TO_RADIATION_ONCOLOGY, "To radiation oncology"),
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
            # The coordinator's overdue list across every team, in the queue's order: read from
            # here and stopped at the page (referrals.selectors.overdue_referrals; issue 22).
            models.Index(fields=["queue_rank", "due_at", "-id"],
                         condition=Q(status__in=AWAITING_TRIAGE),
                         name="referral_overdue_order_idx"),
            # The outgoing list of the sending team, in the queue's order, read up to its page
            # (referrals.selectors.outgoing_referrals; issue 22).
            models.Index(fields=["sending_team", "queue_rank", "due_at", "-id"],
                         name="referral_outgoing_order_idx"),
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


class WorkupResultKind(models.TextChoices):
    """The kinds of result the occult-primary work-up records (CLINICAL.md §17)."""

    MARKER = "marker", "Tumour marker"
    BREAST_IMAGING = "breast_imaging", "Mammography or ultrasound"
    STAGING_SCAN = "staging_scan", "PET-CT or bone scintigraphy"
    BIOPSY = "biopsy", "Biopsy histology"


class TumourMarker(models.TextChoices):
    CA15_3 = "ca15_3", "CA 15-3"
    CEA = "cea", "CEA"
    ALKALINE_PHOSPHATASE = "alp", "Alkaline phosphatase"


class WorkupModality(models.TextChoices):
    MAMMOGRAPHY = "mammography", "Mammography"
    ULTRASOUND = "ultrasound", "Breast ultrasound"
    PET_CT = "pet_ct", "PET-CT"
    BONE_SCINTIGRAPHY = "bone_scintigraphy", "Bone scintigraphy"


class BiopsySite(models.TextChoices):
    SPINE = "spine", "Spinal lesion"
    BREAST = "breast", "Breast"
    OTHER = "other", "Other site"


class OccultWorkupResult(models.Model):
    """One result of the occult-primary work-up (CLINICAL.md §17): a tumour marker with the
    laboratory's upper reference limit, a BI-RADS category per side, PET-CT or scintigraphy
    findings, or biopsy histology with receptors. Which fields a kind takes:
    ``referrals.workup_rules.REQUIRED_FIELDS``; whether it confirms a breast primary:
    ``referrals.workup_rules.confirmation``."""

    Kind = WorkupResultKind

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE,
                                 related_name="workup_results")
    kind = models.CharField(max_length=20, choices=WorkupResultKind.choices)
    taken_on = models.DateField("Date of the test")
    # A tumour marker (§17): value, unit and the laboratory's upper reference limit.
    marker = models.CharField(max_length=10, choices=TumourMarker.choices, blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=12, blank=True)
    upper_limit = models.DecimalField("Upper reference limit", max_digits=10, decimal_places=2,
                                      null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0.01"))])
    # Imaging: mammography or ultrasound (BI-RADS per side), PET-CT or bone scintigraphy.
    modality = models.CharField(max_length=20, choices=WorkupModality.choices, blank=True)
    birads_left = models.PositiveSmallIntegerField("BI-RADS left", null=True, blank=True,
                                                   validators=[MaxValueValidator(6)])
    birads_right = models.PositiveSmallIntegerField("BI-RADS right", null=True, blank=True,
                                                    validators=[MaxValueValidator(6)])
    other_lesions = models.BooleanField("Other lesions", null=True, blank=True)
    breast_focus = models.BooleanField("Breast focus", null=True, blank=True)
    axillary_focus = models.BooleanField("Axillary focus", null=True, blank=True)
    # Biopsy histology with receptors (§12).
    biopsy_site = models.CharField(max_length=10, choices=BiopsySite.choices, blank=True)
    breast_origin = models.BooleanField("Histology of breast origin", null=True, blank=True)
    er = models.BooleanField("ER positive", null=True, blank=True)
    pr = models.BooleanField("PR positive", null=True, blank=True)
    her2 = models.BooleanField("HER2 positive", null=True, blank=True)
    ki67 = models.FloatField("Ki-67 (%)", null=True, blank=True,
                             validators=[MinValueValidator(0), MaxValueValidator(100)])
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["taken_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WorkupResultKind.values),
                                   name="workup_result_kind_valid"),
            models.CheckConstraint(
                condition=(Q(birads_left__isnull=True) | Q(birads_left__lte=6))
                & (Q(birads_right__isnull=True) | Q(birads_right__lte=6)),
                name="workup_result_birads_range"),
            models.CheckConstraint(condition=Q(ki67__isnull=True) | Q(ki67__gte=0, ki67__lte=100),
                                   name="workup_result_ki67_range"),
        ]

    def __str__(self) -> str:
        return f"work-up result {self.pk} ({self.kind})"

    @property
    def above_limit(self) -> bool:
        """A marker above the laboratory's upper reference limit (§17; equal is not above)."""
        from .workup_rules import marker_above_limit

        return marker_above_limit(self.value, self.upper_limit)


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
    # Follow-through tasks of a finalized MDT decision (followthrough, CLINICAL.md §15).
    TASK_ASSIGNED = "task_assigned", "A follow-through task is yours"
    TASK_UNASSIGNED = "task_unassigned", "A follow-through task has no owner"
    TASK_OVERDUE = "task_overdue", "Your follow-through task is overdue"
    TASK_ESCALATED = "task_escalated", "Overdue follow-through task (escalated)"


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
