"""REST serializers of the cases app. Every name is unique (OpenAPI components); input
serializers repeat the database constraints so bad input is a 400, never an IntegrityError."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from scoring.calculators import LEVELS
from scoring.serializers import ScoreSinsResultSerializer
from tumorboard.api_fields import API_DATE, API_DATETIME, BlankAsNullChoiceField
from tumorboard.api_walk import SharedFieldWalk
from tumorboard.converters import MAX_ID
from tumorboard.models import Team, User
from tumorboard.roles import Role
from tumorboard.validators import no_line_breaks

from . import deficit, timeline
from .models import Assessment, Case, DutyTick, LesionImaging, Patient, PhaseEvent
from .models.assessment import URGENCY_CHOICES
from .models.lesion import (
    ALIGNMENT_CHOICES,
    BILSKY_CHOICES,
    BONE_LESION_CHOICES,
    COLLAPSE_CHOICES,
    PAIN_CHOICES,
    POSTEROLATERAL_CHOICES,
    Modality,
)
from .selectors import CaseDetail, CaseListRow, case_next_steps
from .services import CASE_CLINICAL_FIELDS, IMAGING_FIELDS


class PhaseConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    from_phase = serializers.ChoiceField(choices=timeline.Phase.choices)
    to_phase = serializers.CharField()
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(
        choices=timeline.Phase.choices))


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


# --- patients -----------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "mrn", "given_name", "family_name", "birth_date", "sex"]
        read_only_fields = fields


class PatientCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = ["mrn", "given_name", "family_name", "birth_date", "sex"]
        extra_kwargs = {name: {"validators": [no_line_breaks]}
                        for name in ("mrn", "given_name", "family_name")}
        # MRN uniqueness is per institution, checked by the service with the actor's institution.
        validators: list[Any] = []


# --- cases --------------------------------------------------------------------------------------


class CaseListSerializer(serializers.ModelSerializer):
    patient = PatientSerializer(read_only=True)
    urgency = serializers.SerializerMethodField()
    latest_sins = serializers.SerializerMethodField()
    latest_bilsky = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "patient", "primary_status", "subtype", "phase", "urgency", "latest_sins",
                  "latest_bilsky", "next_step", "breast_team", "spine_team", "version",
                  "updated_at"]
        read_only_fields = fields

    def get_urgency(self, case: Case | CaseListRow) -> str | None:
        return case.urgency or None

    def get_latest_sins(self, case: Case | CaseListRow) -> int | None:
        return case.latest_assessment.max_sins if case.latest_assessment else None

    def get_latest_bilsky(self, case: Case | CaseListRow) -> str | None:
        return case.latest_assessment.max_bilsky if case.latest_assessment else None

    def get_next_step(self, case: Case | CaseListRow) -> str:
        # The list's next steps in one query (the view's ``next_steps``); one case alone asks.
        steps = self.context.get("next_steps") or {}
        if case.pk in steps:
            return str(steps[case.pk])
        return case_next_steps([case], self.context["request"].user.role)[0][1]

    def to_representation(self, instance: Case | CaseListRow) -> dict[str, Any]:
        """DRF's walk over the fields, written out: the walk took 0.2 ms a row, a third of the
        list's time (bench/RESULTS.md, issue 22). The same answer, field for field (a test
        compares the two); dates and times through the API's shared conversions (``API_DATE``)."""
        case = instance
        patient, assessment = case.patient, case.latest_assessment
        return {
            "id": case.pk,
            "patient": {
                "id": patient.pk, "mrn": patient.mrn, "given_name": patient.given_name,
                "family_name": patient.family_name,
                "birth_date": API_DATE.to_representation(patient.birth_date),
                "sex": patient.sex,
            },
            "primary_status": case.primary_status,
            "subtype": case.subtype,
            "phase": case.phase,
            "urgency": self.get_urgency(case),
            "latest_sins": assessment.max_sins if assessment else None,
            "latest_bilsky": assessment.max_bilsky if assessment else None,
            "next_step": self.get_next_step(case),
            "breast_team": case.breast_team_id,
            "spine_team": case.spine_team_id,
            "version": case.version,
            "updated_at": API_DATETIME.to_representation(case.updated_at),
        }


class _CareTeamFields(serializers.ModelSerializer):
    breast_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(kind=Team.Kind.BREAST), required=False, allow_null=True)
    spine_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(kind=Team.Kind.SPINE), required=False, allow_null=True)
    mdt_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(kind=Team.Kind.MDT), required=False, allow_null=True)
    oncologists = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=[Role.RADIATION_ONCOLOGIST,
                                               Role.MEDICAL_ONCOLOGIST]),
        many=True, required=False)


_ONSET_INPUTS = ("frankel", "neurological_deficit", "deficit_onset_at", "deficit_onset_unknown")


def _check_onset(attrs: dict[str, Any], instance: Case | None) -> None:
    """The deficit onset (CLINICAL.md §9a), on the case as it would be saved."""
    values = {name: attrs[name] if name in attrs else getattr(instance, name, None)
              for name in _ONSET_INPUTS}
    if errors := deficit.onset_errors(values):
        raise serializers.ValidationError(errors)


class CaseCreateSerializer(_CareTeamFields):
    """A new case, for a new patient (``patient``) or one the caller sees (``patient_id``)."""

    patient = PatientCreateSerializer(required=False)
    patient_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    phase = serializers.ChoiceField(choices=[(p.value, p.label) for p in timeline.START_PHASES],
                                    default=timeline.Phase.INITIAL_DIAGNOSIS.value)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    class Meta:
        model = Case
        fields = ["patient", "patient_id", "phase", "reason", *CASE_CLINICAL_FIELDS,
                  "breast_team", "spine_team", "mdt_team", "oncologists"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("patient" in attrs) == ("patient_id" in attrs):
            raise serializers.ValidationError(
                {"patient": "give either patient (a new patient) or patient_id"})
        if not attrs.get("breast_team") and not attrs.get("spine_team"):
            raise serializers.ValidationError(
                {"breast_team": "a case needs a breast team or a spine team"})
        _check_onset(attrs, None)
        return attrs


class CaseUpdateSerializer(_CareTeamFields):
    """A change to the clinical picture or the care team, with the ``version`` the client read
    (or an ``If-Match`` header). The phase moves through ``transitions/``."""

    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Case
        fields = ["version", *CASE_CLINICAL_FIELDS, "breast_team", "spine_team", "mdt_team",
                  "oncologists"]
        extra_kwargs = {name: {"required": False} for name in CASE_CLINICAL_FIELDS}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_onset(attrs, self.instance)
        return attrs


class ImagingSerializer(serializers.ModelSerializer):
    class Meta:
        model = LesionImaging
        fields = ["id", *IMAGING_FIELDS, "recorded_by", "created_at"]
        read_only_fields = fields


class LesionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="lesion.id")
    label = serializers.CharField(source="lesion.label")  # type: ignore[assignment]
    levels = serializers.ListField(source="lesion.levels", child=serializers.CharField())
    imagings = ImagingSerializer(many=True)
    progressed_within_6_weeks = serializers.BooleanField()
    progression_changes = serializers.ListField(child=serializers.CharField())
    sins = ScoreSinsResultSerializer(allow_null=True, help_text="from the latest assessment")


class LesionCreateSerializer(serializers.Serializer):
    """A new lesion with its first study, or (with ``lesion_id``) a new study of a lesion."""

    lesion_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                         help_text="add serial imaging to this lesion")
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=60, validators=[no_line_breaks])
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=[str(level) for level in LEVELS]),
        required=False, min_length=1, max_length=30)
    imaging_date = serializers.DateField()
    modality = serializers.ChoiceField(
        choices=Modality.choices, default=Modality.MRI.value,
        help_text="mri by default; a new lesion needs mri or ct_myelography")
    pain = serializers.ChoiceField(choices=PAIN_CHOICES)
    bone_lesion = serializers.ChoiceField(choices=BONE_LESION_CHOICES)
    alignment = serializers.ChoiceField(choices=ALIGNMENT_CHOICES)
    collapse = serializers.ChoiceField(choices=COLLAPSE_CHOICES)
    posterolateral = serializers.ChoiceField(choices=POSTEROLATERAL_CHOICES)
    bilsky = serializers.ChoiceField(
        choices=BILSKY_CHOICES, required=False, allow_blank=True, default="",
        help_text="only on mri or ct_myelography (required there); empty on other modalities")
    progressed_after_radiation = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "lesion_id" in attrs:
            for name in ("levels", "label"):
                if attrs.get(name):
                    raise serializers.ValidationError(
                        {name: "a new study keeps the lesion's levels and label"})
        elif not attrs.get("levels"):
            raise serializers.ValidationError({"levels": "give the levels of the new lesion"})
        return attrs


class AssessmentSerializer(serializers.ModelSerializer):
    urgency = BlankAsNullChoiceField(choices=URGENCY_CHOICES)

    class Meta:
        model = Assessment
        fields = ["id", "evaluated_at", "created_by", "rules_version", "subtype", "max_sins",
                  "max_bilsky", "urgency", "pathway", "tokuhashi_total", "tomita_total",
                  "inputs", "result"]
        read_only_fields = fields


class AssessmentSummarySerializer(serializers.ModelSerializer):
    urgency = BlankAsNullChoiceField(choices=URGENCY_CHOICES)

    class Meta:
        model = Assessment
        fields = ["id", "evaluated_at", "rules_version", "subtype", "max_sins", "max_bilsky",
                  "urgency", "pathway", "tokuhashi_total", "tomita_total"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    """No body needed: the assessment scores the case as stored."""


class TransitionCreateSerializer(serializers.Serializer):
    to_phase = serializers.ChoiceField(choices=timeline.Phase.choices)
    reason = serializers.CharField(max_length=2000)


class PhaseEventSerializer(serializers.ModelSerializer):
    # "" for the case's first phase: declared so that the schema's enum includes it.
    from_phase = serializers.ChoiceField(choices=timeline.Phase.choices, allow_blank=True,
                                         read_only=True)

    class Meta:
        model = PhaseEvent
        fields = ["id", "from_phase", "to_phase", "actor", "at", "reason", "timeline_version"]
        read_only_fields = fields


class DutyTickSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyTick
        fields = ["ticked_by", "ticked_at", "note"]
        read_only_fields = fields


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="duty.code")
    specialty = serializers.ChoiceField(source="duty.specialty",
                                        choices=timeline.Specialty.choices)
    label = serializers.CharField(source="duty.label")  # type: ignore[assignment]
    done = serializers.SerializerMethodField()
    tick = DutyTickSerializer(allow_null=True)

    def get_done(self, item: Any) -> bool:
        return item.tick is not None


class PhaseStaySerializer(serializers.Serializer):
    event = PhaseEventSerializer()
    checklist = ChecklistItemSerializer(many=True)


class TimingCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warning", "info"])
    message = serializers.CharField()


class CaseClinicalSerializer(serializers.ModelSerializer):
    """The clinical picture of a case; a value not recorded is ``null``."""

    bone_modifying_agent = BlankAsNullChoiceField(
        choices=Case._meta.get_field("bone_modifying_agent").choices)
    frankel = BlankAsNullChoiceField(choices=Case._meta.get_field("frankel").choices)
    asia = BlankAsNullChoiceField(choices=Case._meta.get_field("asia").choices)
    visceral_metastases = BlankAsNullChoiceField(
        choices=Case._meta.get_field("visceral_metastases").choices)

    class Meta:
        model = Case
        fields = [*CASE_CLINICAL_FIELDS, "subtype"]
        read_only_fields = fields


class CaseCareTeamSerializer(serializers.Serializer):
    breast_team = serializers.IntegerField(source="breast_team_id", allow_null=True)
    spine_team = serializers.IntegerField(source="spine_team_id", allow_null=True)
    mdt_team = serializers.IntegerField(source="mdt_team_id", allow_null=True)
    oncologists = serializers.SerializerMethodField()

    def get_oncologists(self, case: Case) -> list[int]:
        return sorted(case.oncologists.values_list("pk", flat=True))


class CaseOpenReferralSerializer(serializers.Serializer):
    """An open referral of the case (referrals.selectors.case_open_referrals)."""

    id = serializers.IntegerField()
    direction = serializers.CharField(help_text="breast_to_neuro or neuro_to_breast")
    status = serializers.CharField(help_text="the referral's state (referrals' state machine)")
    urgency = serializers.ChoiceField(choices=URGENCY_CHOICES, allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    escalation_level = serializers.IntegerField()
    triggers = serializers.ListField(child=serializers.CharField(), help_text="trigger codes")


class CaseNextMeetingSerializer(serializers.Serializer):
    """The open MDT meeting whose agenda holds the case (meetings.selectors.case_meetings)."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="planned, agenda_locked or in_session")
    position = serializers.IntegerField(help_text="the case's place on the agenda")


class CaseLastDecisionSerializer(serializers.Serializer):
    """The latest MDT decision on the case (meetings.selectors.decision_summary)."""

    id = serializers.IntegerField()
    meeting = serializers.IntegerField()
    meeting_status = serializers.CharField()
    decided_at = serializers.DateTimeField()
    pathway = serializers.CharField(help_text="the NOMS pathway the board chose")
    stabilisation = serializers.BooleanField()
    urgency = serializers.ChoiceField(choices=URGENCY_CHOICES, allow_null=True)
    responsible = serializers.IntegerField()
    follows_recommendation = serializers.BooleanField()
    carried_out = serializers.BooleanField(allow_null=True)
    carried_out_at = serializers.DateField(allow_null=True)


class CaseDetailSerializer(SharedFieldWalk):
    """The case status: clinical picture, phase, urgency, lesions, latest assessment, and the
    referral and meeting fields. ``open_referrals``: the case's open referrals (id, direction,
    status, urgency, due_at, escalation_level, trigger codes). ``next_meeting``: the open MDT
    meeting whose agenda holds the case (id, starts_at, status, position) or ``null``;
    ``last_decision``: the latest MDT decision (id, meeting, meeting_status, decided_at, pathway,
    stabilisation, urgency, responsible, follows_recommendation, carried_out, carried_out_at) or
    ``null``. Written by DRF's walk over fields built once (``SharedFieldWalk``): nothing in
    this tree reads the request."""

    id = serializers.IntegerField(source="case.id")
    patient = PatientSerializer(source="case.patient")
    phase = serializers.ChoiceField(source="case.phase", choices=timeline.Phase.choices)
    urgency = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="case.version")
    updated_at = serializers.DateTimeField(source="case.updated_at")
    clinical = CaseClinicalSerializer(source="case")
    care_team = CaseCareTeamSerializer(source="case")
    lesions = LesionSerializer(many=True)
    latest_assessment = AssessmentSummarySerializer(source="case.latest_assessment",
                                                    allow_null=True)
    allowed_moves = serializers.ListField(child=serializers.ChoiceField(
        choices=timeline.Phase.choices))
    timing_checks = TimingCheckSerializer(many=True)
    open_referrals = CaseOpenReferralSerializer(many=True)
    next_meeting = CaseNextMeetingSerializer(allow_null=True)
    last_decision = CaseLastDecisionSerializer(allow_null=True)

    def get_urgency(self, detail: CaseDetail) -> str | None:
        return detail.case.urgency or None

