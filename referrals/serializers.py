"""REST shapes of the referral pathway. Unique, explicit names (their OpenAPI components)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from scoring.calculators import ReferralDirection
from tumorboard.converters import MAX_ID

from .models import (
    AWAITING_TRIAGE,
    DIRECTION_CHOICES,
    TRIGGER_CHOICES,
    URGENCY_CHOICES,
    Alert,
    AlertKind,
    OccultWorkupResult,
    Referral,
    ReferralStatus,
)
from .services import MANUAL_TRIGGERS
from .states import PERSON_ACTIONS


class ReferralTriggerSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=TRIGGER_CHOICES)
    evidence = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    fired_at = serializers.DateTimeField()


def is_overdue(referral: Referral) -> bool:
    return (referral.status in AWAITING_TRIAGE and referral.due_at is not None
            and referral.due_at < timezone.now())


class ReferralListSerializer(serializers.Serializer):
    """A referral as lists show it: ids, state, urgency and time left, triggers, scores. No
    patient identifiers (GET /api/v1/cases/{case}/ has them for the care team)."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    direction = serializers.ChoiceField(choices=DIRECTION_CHOICES)
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    urgency = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()
    triggers = ReferralTriggerSerializer(many=True, source="triggers.all")
    max_sins = serializers.SerializerMethodField()
    max_bilsky = serializers.SerializerMethodField()
    sender = serializers.IntegerField(source="sender_id", allow_null=True,
                                      help_text="the sending side's clinician who raised it; "
                                                "null when raised from another team's data")
    raised_by = serializers.IntegerField(source="raised_by_id", allow_null=True,
                                         help_text="who recorded the data that raised it")
    sending_team = serializers.IntegerField(source="sending_team_id", allow_null=True)
    receiving_team = serializers.IntegerField(source="receiving_team_id")
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    escalation_level = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_urgency(self, referral: Referral) -> str | None:
        return referral.urgency or None

    def get_overdue(self, referral: Referral) -> bool:
        return is_overdue(referral)

    def get_seconds_left(self, referral: Referral) -> int | None:
        """Negative when overdue; null without a due time or once decided."""
        if referral.due_at is None or referral.status not in AWAITING_TRIAGE:
            return None
        return int((referral.due_at - timezone.now()).total_seconds())

    def get_max_sins(self, referral: Referral) -> int | None:
        assessment = referral.case.latest_assessment
        return assessment.max_sins if assessment else None

    def get_max_bilsky(self, referral: Referral) -> str | None:
        assessment = referral.case.latest_assessment
        return assessment.max_bilsky if assessment else None


class ReferralEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class OccultWorkupItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.IntegerField(source="done_by_id", allow_null=True)


class OccultWorkupResultSerializer(serializers.ModelSerializer):
    """One result of the occult-primary work-up (CLINICAL.md §17), with the computed flag."""

    above_limit = serializers.BooleanField(read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)

    class Meta:
        model = OccultWorkupResult
        fields = ["id", "kind", "taken_on", "marker", "value", "unit", "upper_limit",
                  "above_limit", "modality", "birads_left", "birads_right", "other_lesions",
                  "breast_focus", "axillary_focus", "biopsy_site", "breast_origin", "er", "pr",
                  "her2", "ki67", "note", "recorded_at", "recorded_by"]
        read_only_fields = ["id", "recorded_at"]
        extra_kwargs = {"taken_on": {"required": True}}


class WorkupExcludeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReferralDetailSerializer(ReferralListSerializer):
    urgency_rationale = serializers.CharField()
    decline_reason = serializers.CharField()
    cancel_reason = serializers.CharField()
    info_question = serializers.CharField()
    info_answer = serializers.CharField()
    note = serializers.CharField()
    events = ReferralEventSerializer(many=True, source="event_list")
    workup_items = OccultWorkupItemSerializer(many=True, source="workup_items.all")
    workup_results = OccultWorkupResultSerializer(many=True, source="workup_results.all",
                                                  read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, referral: Referral) -> list[str]:
        return list(self.context.get("allowed_actions", []))


class ReferralFlagInputSerializer(serializers.Serializer):
    """A breast oncosurgeon flags triggers by hand (CLINICAL.md §8)."""

    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    direction = serializers.ChoiceField(choices=[ReferralDirection.BREAST_TO_NEURO.value])
    trigger_codes = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(MANUAL_TRIGGERS)), min_length=1,
        max_length=len(MANUAL_TRIGGERS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReferralDeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReferralCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReferralRequestInfoInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000)


class ReferralAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


class ReferralNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReferralConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=[a.value for a in PERSON_ACTIONS]))


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id", allow_null=True,
                                        help_text="null for an alert about a case (an MDT "
                                                  "decision's responsible clinician)")
    case = serializers.SerializerMethodField(help_text="the case the alert is about")
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    step = serializers.IntegerField()
    urgency = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    def get_case(self, alert: Alert) -> int:
        return alert.case_id or alert.referral.case_id  # type: ignore[union-attr]

    def get_urgency(self, alert: Alert) -> str | None:
        return (alert.referral.urgency or None) if alert.referral is not None else None


def referral_detail_data(referral: Referral, allowed: list[str]) -> dict[str, Any]:
    return ReferralDetailSerializer(referral, context={"allowed_actions": allowed}).data


__all__ = ["URGENCY_CHOICES"]
