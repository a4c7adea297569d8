"""MDT meetings: the meeting, its attendance, agenda items, decisions, event rows and packets
(DESIGN.md, Meeting; issue 6).

Every status change of a meeting and every agenda edit is a ``MeetingEvent`` row (who, when,
from, to, why), written in the transaction of the change (healthchecks' Flip). The rules of the
moves live in ``meetings.states``; the writes in ``meetings.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from scoring.calculators import NomsPathway, Urgency
from tumorboard.models import Team


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    AGENDA_LOCKED = "agenda_locked", "Agenda locked"
    IN_SESSION = "in_session", "In session"
    FINALIZED = "finalized", "Finalized"


#: A meeting in one of these is "open": its agenda items hold their cases (a case is on at most
#: one open meeting's agenda).
OPEN_MEETING_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_LOCKED,
                         MeetingStatus.IN_SESSION)

PATHWAY_CHOICES = [(member.value, member.value.replace("_", " ")) for member in NomsPathway]
URGENCY_CHOICES = [(member.value, member.value) for member in Urgency]


class Meeting(models.Model):
    Status = MeetingStatus

    mdt_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="meetings",
                                 limit_choices_to={"kind": Team.Kind.MDT})
    title = models.CharField(max_length=200, default="Spine metastasis MDT")
    starts_at = models.DateTimeField()  # aware, stored in UTC
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="meetings_chaired")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="meetings_coordinated")
    status = models.CharField(max_length=16, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    # True once someone moved an item by hand: populating again appends, never re-sorts.
    agenda_reordered = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    # Recorded by the chair when the meeting is finalized without quorum.
    quorum_override_reason = models.TextField(blank=True)
    quorum_met = models.BooleanField(null=True, blank=True)  # set at finalize (§14 measure)
    # RFC 5545 SEQUENCE: bumped whenever the time or place changes.
    ical_sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # "My upcoming meetings" and the meeting list: by start time.
            models.Index(fields=["starts_at"], name="meeting_starts_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values),
                                   name="meeting_status_valid"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(video_link=""),
                                   name="meeting_has_place_or_link",
                                   violation_error_message="give a place or a video link"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5,
                                               duration_minutes__lte=24 * 60),
                                   name="meeting_duration_range"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEETING_STATUSES


class Attendance(models.Model):
    """One person expected at (invited to) a meeting, and whether they were present.

    ``role`` is the person's role when invited (quorum is counted by it); ``present`` is null until
    the coordinator records attendance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="meeting_attendances")
    role = models.CharField(max_length=32)
    expected = models.BooleanField(default=True)
    present = models.BooleanField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    # The invitation e-mail (with the .ics): claimed once by a conditional update.
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    # The last failed send (the exception's class only), until a send succeeds: shown to the
    # coordinator on the meeting page while the task retries.
    invitation_failed_at = models.DateTimeField(null=True, blank=True)
    invitation_error = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["role", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at meeting {self.meeting_id}"


class ItemSource(models.TextChoices):
    AUTO = "auto", "Eligible (populated)"
    MANUAL = "manual", "Added by a clinician"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=ItemSource.choices, default=ItemSource.AUTO)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    # The inputs of the CLINICAL.md §13 key at population, and the reason in words.
    urgency = models.CharField(max_length=8, blank=True)
    max_sins = models.PositiveSmallIntegerField(null=True, blank=True)
    max_bilsky = models.CharField(max_length=2, blank=True)
    referred_at = models.DateTimeField()
    priority_reason = models.TextField()
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    question = models.TextField(blank=True)
    # Frozen at lock: the assessment, clinical picture and referral history the packet shows.
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="agenda_item_case_once"),
            models.UniqueConstraint(fields=["meeting", "position"],
                                    name="agenda_item_position_unique"),
            models.CheckConstraint(condition=Q(max_sins__isnull=True) | Q(max_sins__lte=18),
                                   name="agenda_item_sins_range"),
        ]
        indexes = [
            # Eligibility: "is this case on an open meeting's agenda?" and the case page.
            models.Index(fields=["case"], name="agenda_item_case_idx"),
        ]

    def __str__(self) -> str:
        return f"item {self.position} of meeting {self.meeting_id}"


class Decision(models.Model):
    """The board's decision on one agenda item. ``follows_recommendation`` compares the pathway
    with the NOMS pathway of the item's snapshot (CLINICAL.md §7); an override carries a reason.
    The follow-up (carried out or not, when) is editable after the meeting."""

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    pathway = models.CharField(max_length=32, choices=PATHWAY_CHOICES)
    stabilisation = models.BooleanField(default=False)
    urgency = models.CharField(max_length=8, choices=URGENCY_CHOICES, blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="mdt_decisions_responsible")
    rationale = models.TextField()
    recommended_pathway = models.CharField(max_length=32, blank=True)
    recommended_stabilisation = models.BooleanField(null=True, blank=True)
    follows_recommendation = models.BooleanField()
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()
    carried_out = models.BooleanField(null=True, blank=True)
    carried_out_at = models.DateField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    # Optimistic concurrency: a form carries the version it was read at (0: no decision yet);
    # a correction from a stale page is refused (meetings.services.DecisionConflict).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pathway__in=[m.value for m in NomsPathway]),
                                   name="decision_pathway_valid"),
            models.CheckConstraint(
                condition=Q(urgency="") | Q(urgency__in=[m.value for m in Urgency]),
                name="decision_urgency_valid"),
            models.CheckConstraint(
                condition=Q(follows_recommendation=True) | ~Q(override_reason=""),
                name="decision_override_has_reason"),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
            models.CheckConstraint(
                condition=Q(carried_out_at__isnull=True) | Q(carried_out=True),
                name="decision_carried_out_date_needs_yes"),
        ]

    def __str__(self) -> str:
        return f"decision on item {self.item_id}: {self.pathway}"


class Specialty(models.TextChoices):
    """The specialties of the board (S2 §6.2) a preliminary opinion speaks for."""

    BREAST_ONCOSURGERY = "breast_oncosurgery", "Breast oncosurgery"
    NEUROSURGERY = "neurosurgery", "Neurosurgery"
    RADIATION_ONCOLOGY = "radiation_oncology", "Radiation oncology"
    MEDICAL_ONCOLOGY = "medical_oncology", "Medical oncology"
    PALLIATIVE_CARE = "palliative_care", "Palliative care"
    RADIOLOGY = "radiology", "Radiology"


class PreliminaryOpinion(models.Model):
    """An invited clinician's opinion on one agenda item, per specialty, written before the
    meeting; shown in the meeting and the packet. One per (item, author, specialty): writing again
    updates it."""

    Specialty = Specialty

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    specialty = models.CharField(max_length=24, choices=Specialty.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item", "specialty", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "author", "specialty"],
                                    name="opinion_once_per_author_specialty"),
            models.CheckConstraint(condition=Q(specialty__in=Specialty.values),
                                   name="opinion_specialty_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="opinion_has_text"),
        ]

    def __str__(self) -> str:
        return f"opinion {self.pk} on item {self.item_id}"


class MeetingEvent(models.Model):
    """Every transition and agenda edit of a meeting: who, when, from, to, why. Append-only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}->{self.to_status}"


class PacketKind(models.TextChoices):
    PACKET = "packet", "Meeting packet"
    MINUTES = "minutes", "Minutes"


class PacketStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Packet(models.Model):
    """A rendered PDF for one audience: the cases on the meeting that ``audience`` may see
    (cases.selectors.case_list_visible_to), so a packet never holds a case its reader cannot
    open. One row per (meeting, kind, audience); a new request renders it again."""

    Kind = PacketKind
    Status = PacketStatus

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packets")
    kind = models.CharField(max_length=8, choices=PacketKind.choices)
    audience = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    status = models.CharField(max_length=10, choices=PacketStatus.choices,
                              default=PacketStatus.PENDING)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Relative to MEDIA_ROOT: packets/<random>.pdf (no name or MRN in a file name).
    file = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    case_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "audience"],
                                    name="packet_one_per_audience"),
            models.CheckConstraint(condition=Q(kind__in=PacketKind.values),
                                   name="packet_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PacketStatus.values),
                                   name="packet_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"
