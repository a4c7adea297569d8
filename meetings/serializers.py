"""REST shapes of the meetings app. Unique, explicit names (their OpenAPI components). Inputs
validate everything the database constraints enforce, so bad input is a 400 naming the field."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models.lesion import BILSKY_CHOICES
from scoring.calculators import NomsPathway, Urgency
from tumorboard.api_fields import API_DATETIME, BlankAsNullChoiceField
from tumorboard.api_walk import SharedFieldWalk
from tumorboard.converters import MAX_ID
from tumorboard.validators import no_line_breaks

from .models import AgendaItem, Attendance, Decision, MeetingStatus, Packet, PacketKind
from .selectors import AgendaRow


class MeetingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.CharField(required=False)
    allowed_actions = serializers.ListField(child=serializers.CharField())
    missing_roles = serializers.ListField(child=serializers.CharField(), required=False)
    # A stale decision (meetings.services.DecisionConflict): the version now stored and the
    # decision as stored; a meeting started before its day names ``starts_at``.
    field = serializers.CharField(required=False)
    item = serializers.IntegerField(required=False)
    current_version = serializers.IntegerField(required=False)
    current = serializers.DictField(required=False, allow_null=True)


class MeetingListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    mdt_team = serializers.IntegerField(source="mdt_team_id")
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    place = serializers.CharField()
    video_link = serializers.CharField()
    chair = serializers.IntegerField(source="chair_id")
    coordinator = serializers.IntegerField(source="coordinator_id")
    status = serializers.ChoiceField(choices=MeetingStatus.choices)


class MeetingCreateInputSerializer(serializers.Serializer):
    mdt_team = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200, required=False, default="Spine metastasis MDT",
                                  validators=[no_line_breaks])
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, default=60)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                  validators=[no_line_breaks])
    video_link = serializers.URLField(max_length=500, required=False, allow_blank=True,
                                      default="")
    chair = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    coordinator = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    attendees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        default=list, max_length=100)

    # A past start is refused by the service (meetings.services.meeting_create) unless the
    # meeting was held and is recorded on purpose, with the reason.
    record_past = serializers.BooleanField(required=False, default=False)
    past_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                        default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("place", "").strip() and not attrs.get("video_link", "").strip():
            raise serializers.ValidationError({"place": "give a place or a video link"})
        return attrs


class AttendanceSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    role = serializers.CharField()
    expected = serializers.BooleanField()
    present = serializers.BooleanField(allow_null=True)

    class Meta:
        model = Attendance


class AttendanceInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    present = serializers.BooleanField()


class DecisionSerializer(SharedFieldWalk):
    """A decision as every answer gives it (one per decided item of an agenda: its fields are
    built once, ``SharedFieldWalk``)."""

    id = serializers.IntegerField()
    pathway = serializers.ChoiceField(choices=[p.value for p in NomsPathway])
    stabilisation = serializers.BooleanField()
    urgency = BlankAsNullChoiceField(choices=[u.value for u in Urgency])
    responsible = serializers.IntegerField(source="responsible_id")
    rationale = serializers.CharField()
    recommended_pathway = BlankAsNullChoiceField(
        choices=[p.value for p in NomsPathway],
        help_text="the NOMS pathway the service recommended; null when the case was not scored")
    follows_recommendation = serializers.BooleanField()
    override_reason = serializers.CharField(allow_blank=True)
    decided_by = serializers.IntegerField(source="decided_by_id")
    decided_at = serializers.DateTimeField()
    carried_out = serializers.BooleanField(allow_null=True)
    carried_out_at = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()

    class Meta:
        model = Decision


class DecisionInputSerializer(serializers.Serializer):
    pathway = serializers.ChoiceField(choices=[p.value for p in NomsPathway])
    stabilisation = serializers.BooleanField(default=False)
    urgency = serializers.ChoiceField(choices=[u.value for u in Urgency], required=False,
                                      allow_blank=True, default="")
    responsible = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rationale = serializers.CharField(max_length=5000)
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, default=None, allow_null=True,
        help_text="the decision's version you read (0: no decision yet); a stale one is refused "
                  "with 409 and the stored decision")
    override_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                            default="")


class FollowUpInputSerializer(serializers.Serializer):
    carried_out = serializers.BooleanField()
    carried_out_at = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    source = serializers.CharField()  # type: ignore[assignment]
    urgency = BlankAsNullChoiceField(choices=[u.value for u in Urgency])
    max_sins = serializers.IntegerField(allow_null=True)
    max_bilsky = BlankAsNullChoiceField(choices=BILSKY_CHOICES)
    referred_at = serializers.DateTimeField()
    priority_reason = serializers.CharField()
    presenter = serializers.IntegerField(source="presenter_id", allow_null=True)
    question = serializers.CharField(allow_blank=True)
    locked = serializers.SerializerMethodField()
    recommended_pathway = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem

    # From the annotations of ``selectors.items_for_api`` when present (the snapshot unread).
    def get_locked(self, item: AgendaItem | AgendaRow) -> bool:
        if hasattr(item, "snapshot_locked"):
            return bool(item.snapshot_locked)
        return item.snapshot is not None

    def get_recommended_pathway(self, item: AgendaItem | AgendaRow) -> str | None:
        from .snapshot import recommended

        if hasattr(item, "snapshot_pathway"):
            return str(item.snapshot_pathway or "") or None
        return recommended(item.snapshot)[0] or None

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, item: AgendaItem | AgendaRow) -> dict[str, Any] | None:
        decision = getattr(item, "decision", None)
        return DecisionSerializer(decision).data if decision is not None else None

    def to_representation(self, instance: AgendaItem | AgendaRow) -> dict[str, Any]:
        """DRF's walk over the fields, written out (a fifth of a 100-item agenda's time;
        bench/RESULTS.md, issue 22): the same answer, field for field (a test compares them)."""
        item = instance
        return {
            "id": item.pk,
            "position": item.position,
            "case": item.case_id,
            "source": item.source,
            "urgency": item.urgency or None,
            "max_sins": item.max_sins,
            "max_bilsky": item.max_bilsky or None,
            "referred_at": API_DATETIME.to_representation(item.referred_at),
            "priority_reason": item.priority_reason,
            "presenter": item.presenter_id,
            "question": item.question,
            "locked": self.get_locked(item),
            "recommended_pathway": self.get_recommended_pathway(item),
            "decision": self.get_decision(item),
        }


class AgendaItemAddInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    question = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                     default="")


class AgendaMoveInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class QuorumSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    met = serializers.BooleanField()


class MeetingDetailSerializer(MeetingListSerializer):
    agenda_reordered = serializers.BooleanField()
    locked_at = serializers.DateTimeField(allow_null=True)
    finalized_at = serializers.DateTimeField(allow_null=True)
    quorum_override_reason = serializers.CharField(allow_blank=True)
    hidden_agenda_items = serializers.IntegerField(
        default=0, help_text="agenda items of cases outside your care teams, not shown to you")


class MeetingWithAgendaSerializer(MeetingDetailSerializer):
    """A meeting as its detail answers it: the meeting, the agenda items the caller may see (each
    with its decision), the attendance, the quorum and the caller's allowed actions."""

    agenda = AgendaItemSerializer(many=True)
    attendance = AttendanceSerializer(many=True)
    quorum = QuorumSerializer()
    allowed_actions = serializers.ListField(child=serializers.CharField(), help_text=(
        "the state moves the caller may make (the coordinator and the chair); empty otherwise"))


class MeetingFinalizeInputSerializer(serializers.Serializer):
    quorum_override_reason = serializers.CharField(max_length=5000, required=False,
                                                   allow_blank=True, default="")


class MeetingReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PacketRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PacketKind.values, default=PacketKind.PACKET)


class PacketStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    page_count = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(allow_blank=True)
    status_url = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)

    class Meta:
        model = Packet


class MetricsMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    median_hours_referral_to_triage = serializers.FloatField(allow_null=True)
    median_days_referral_to_decision = serializers.FloatField(allow_null=True)
    median_days_decision_to_surgery = serializers.FloatField(allow_null=True)
    median_hours_cord_compression_to_plan = serializers.FloatField(allow_null=True)
    share_discussed_before_treatment = serializers.FloatField(allow_null=True)
    share_carried_out_30_days = serializers.FloatField(allow_null=True)
    share_carried_out_90_days = serializers.FloatField(allow_null=True)
    share_meetings_with_quorum = serializers.FloatField(allow_null=True)
    # From the follow-through tasks (followthrough, CLINICAL.md §14-15); null without tasks.
    share_tasks_done_30_days = serializers.FloatField(allow_null=True, required=False)
    share_tasks_done_90_days = serializers.FloatField(allow_null=True, required=False)
