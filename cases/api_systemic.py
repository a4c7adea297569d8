"""REST of systemic therapy and radiotherapy (CLINICAL.md §10, §16): the earliest safe date of
elective surgery with its constraints, and the radiotherapy plans with §16's flags."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tumorboard.api_errors import errors, validated

from . import services
from .api import _CaseView
from .models import RadiotherapyPlan
from .models.lesion import validate_levels
from .systemic import PlanView, case_episodes, plan_view, systemic_picture


class RadiotherapyPlanSerializer(serializers.ModelSerializer):
    target_levels = serializers.ListField(child=serializers.CharField(max_length=3),
                                          allow_empty=False)

    class Meta:
        model = RadiotherapyPlan
        fields = ["id", "technique", "dose_gy", "fractions", "target_levels", "surgery_date",
                  "planned_start", "planned_end", "actual_start", "actual_end"]
        read_only_fields = ["id"]

    def validate_target_levels(self, value: list[str]) -> list[str]:
        from django.core.exceptions import ValidationError

        try:
            validate_levels(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class SafetyConstraintSerializer(serializers.Serializer):
    """One constraint on the date of elective surgery (§10): what sets it and how hard it is."""

    code = serializers.CharField()
    severity = serializers.CharField(help_text="info, warn or block")
    message = serializers.CharField()
    not_before = serializers.DateField(allow_null=True)


class SafeSurgerySerializer(serializers.Serializer):
    earliest = serializers.DateField(allow_null=True, help_text="null: not known yet (see the "
                                     "constraints)")
    emergency = serializers.BooleanField(help_text="the emergency override applies (red case)")
    blocked = serializers.BooleanField()
    constraints = SafetyConstraintSerializer(many=True)
    reference = serializers.CharField()


class ResumeItemSerializer(serializers.Serializer):
    """What happens to one systemic therapy after the operation (§16)."""

    therapy_class = serializers.CharField()
    drug = serializers.CharField()
    action = serializers.CharField()
    message = serializers.CharField()
    earliest = serializers.DateField(allow_null=True)
    latest = serializers.DateField(allow_null=True)


class PlanFlagSerializer(serializers.Serializer):
    which = serializers.CharField()
    days = serializers.IntegerField()
    timing = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()


class RadiotherapyPlanAnswerSerializer(serializers.Serializer):
    """A radiotherapy plan as answered: its fields, §16's window flags and warnings."""

    id = serializers.IntegerField()
    technique = serializers.CharField()
    dose_gy = serializers.FloatField()
    fractions = serializers.IntegerField()
    target_levels = serializers.ListField(child=serializers.CharField())
    surgery_date = serializers.DateField(allow_null=True)
    planned_start = serializers.DateField()
    planned_end = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    flags = PlanFlagSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    flagged = serializers.BooleanField()


class SystemicSerializer(serializers.Serializer):
    """The answer of ``GET cases/<id>/systemic/`` (documentation only)."""

    safe_surgery = SafeSurgerySerializer()
    surgery_date = serializers.DateField(allow_null=True)
    resume_after_surgery = ResumeItemSerializer(many=True)
    radiotherapy_plans = RadiotherapyPlanAnswerSerializer(many=True)


def _plan_json(view: PlanView) -> dict[str, Any]:
    return {**RadiotherapyPlanSerializer(view.plan).data,
            "flags": [flag.to_dict() for flag in view.flags],
            "warnings": list(view.warnings), "flagged": view.flagged}


@extend_schema(tags=["cases"])
class CaseSystemicView(_CaseView):
    @extend_schema(operation_id="cases_systemic", summary="Earliest safe date of elective "
                   "surgery (§10), resumption after surgery and radiotherapy plans (§16)",
                   responses={200: SystemicSerializer, **errors(401, 404)})
    def get(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=True)
        picture = systemic_picture(case)
        return Response({
            "safe_surgery": picture.safe.to_dict(),
            "surgery_date": picture.surgery_date.isoformat() if picture.surgery_date else None,
            "resume_after_surgery": [item.to_dict() for item in picture.resume],
            "radiotherapy_plans": [_plan_json(view) for view in picture.plans],
        })


@extend_schema(tags=["cases"])
class CaseRadiotherapyPlanCreateView(_CaseView):
    @extend_schema(operation_id="cases_radiotherapy_plans_create",
                   summary="Plan radiotherapy (radiation oncologist)",
                   request=RadiotherapyPlanSerializer,
                   responses={201: RadiotherapyPlanAnswerSerializer,
                              **errors(400, 401, 403, 404)})
    def post(self, request: Request, case_id: int) -> Response:
        case = self.visible_case(case_id, record=False)
        data = validated(RadiotherapyPlanSerializer, request.data)
        plan = services.radiotherapy_plan_create(case=case, actor=self.actor, **data)
        return Response(_plan_json(plan_view(plan, case_episodes(case))),
                        status=status.HTTP_201_CREATED)
