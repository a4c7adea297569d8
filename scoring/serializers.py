"""OpenAPI description of POST /api/v1/scores/evaluate/.

The scoring core validates the request itself (scoring/calculators/parse.py), so that the API,
the form page and the stored assessments share one code path. These serializers only document
the contract; each has a unique name so that schema components never collide.
"""

from rest_framework import serializers

from .calculators import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    Frankel,
    MolecularSubtype,
    NomsMechanical,
    NomsNeurological,
    NomsOncological,
    NomsPathway,
    NomsSystemic,
    Pain,
    Posterolateral,
    PrimarySite,
    SinsBand,
    TokuhashiSurvival,
    TomitaGoal,
    Urgency,
    VisceralMetastases,
)
from .calculators.levels import LEVELS


def _choices(enum: type) -> list[str]:
    return [member.value for member in enum]  # type: ignore[attr-defined]


class ScoreReceptorsSerializer(serializers.Serializer):
    er = serializers.BooleanField()
    pr = serializers.BooleanField()
    her2 = serializers.BooleanField()
    ki67 = serializers.IntegerField(min_value=0, max_value=100, required=False)


class ScorePatientSerializer(serializers.Serializer):
    primary_site = serializers.ChoiceField(_choices(PrimarySite))
    subtype = serializers.ChoiceField(_choices(MolecularSubtype), required=False)
    receptors = ScoreReceptorsSerializer(required=False)
    kps = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                   help_text="0-100 in steps of 10; KPS or ECOG is required")
    ecog = serializers.IntegerField(min_value=0, max_value=4, required=False)
    frankel = serializers.ChoiceField(_choices(Frankel))
    neurological_deficit = serializers.BooleanField(required=False)
    extraspinal_bone_metastases = serializers.IntegerField(min_value=0)
    vertebral_metastases = serializers.IntegerField(
        min_value=1, help_text="at least the number of distinct levels in lesions"
    )
    visceral_metastases = serializers.ChoiceField(_choices(VisceralMetastases))
    new_patient = serializers.BooleanField(required=False)
    new_or_progressive_back_pain = serializers.BooleanField(required=False)
    ambulatory = serializers.BooleanField(required=False)
    albumin_g_dl = serializers.FloatField(min_value=0, required=False)


class ScoreLesionSerializer(serializers.Serializer):
    levels = serializers.ListField(child=serializers.ChoiceField(list(LEVELS)), min_length=1)
    pain = serializers.ChoiceField(_choices(Pain))
    bone_lesion = serializers.ChoiceField(_choices(BoneLesion))
    alignment = serializers.ChoiceField(_choices(Alignment))
    collapse = serializers.ChoiceField(_choices(Collapse))
    posterolateral = serializers.ChoiceField(_choices(Posterolateral))
    bilsky = serializers.ChoiceField(_choices(BilskyGrade))
    progressed_within_6_weeks = serializers.BooleanField(required=False)
    progressed_after_radiation = serializers.BooleanField(required=False)


class ScoreEvaluationRequestSerializer(serializers.Serializer):
    patient = ScorePatientSerializer()
    lesions = ScoreLesionSerializer(many=True, min_length=1)  # type: ignore[call-arg]


class ScoreComponentsField(serializers.DictField):
    child = serializers.IntegerField()


class ScoreSinsResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0, max_value=18)
    band = serializers.ChoiceField(_choices(SinsBand))
    components = ScoreComponentsField()


class ScoreBilskyResultSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(_choices(BilskyGrade))
    high_grade = serializers.BooleanField()
    epidural_extension = serializers.BooleanField()


class ScoreLesionResultSerializer(serializers.Serializer):
    levels = serializers.ListField(child=serializers.CharField())
    sins = ScoreSinsResultSerializer()
    bilsky = ScoreBilskyResultSerializer()


class ScoreTokuhashiResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0, max_value=15)
    survival = serializers.ChoiceField(_choices(TokuhashiSurvival))
    components = ScoreComponentsField()
    kps_from_ecog = serializers.BooleanField()
    modified_2014_total = serializers.IntegerField(allow_null=True)


class ScoreTomitaResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=2, max_value=10)
    goal = serializers.ChoiceField(_choices(TomitaGoal))
    components = ScoreComponentsField()


class ScoreTotalResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    components = ScoreComponentsField()


class ScoreNomsResultSerializer(serializers.Serializer):
    neurological = serializers.ChoiceField(_choices(NomsNeurological))
    oncological = serializers.ChoiceField(_choices(NomsOncological))
    mechanical = serializers.ChoiceField(_choices(NomsMechanical))
    systemic = serializers.ChoiceField(_choices(NomsSystemic))
    pathway = serializers.ChoiceField(_choices(NomsPathway))
    stabilisation_required = serializers.BooleanField()
    rationale = serializers.ListField(child=serializers.CharField())


class ScoreTriggerResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    evidence = serializers.CharField()


class ScoreEvaluationResponseSerializer(serializers.Serializer):
    rules_version = serializers.CharField()
    subtype = serializers.ChoiceField(_choices(MolecularSubtype))
    lesions = ScoreLesionResultSerializer(many=True)
    tokuhashi = ScoreTokuhashiResultSerializer()
    tomita = ScoreTomitaResultSerializer()
    modified_bauer = ScoreTotalResultSerializer(allow_null=True)
    nesms = ScoreTotalResultSerializer(allow_null=True)
    noms = ScoreNomsResultSerializer()
    triggers = ScoreTriggerResultSerializer(many=True)
    urgency = serializers.ChoiceField(_choices(Urgency), allow_null=True)
    due_within_hours = serializers.IntegerField(allow_null=True)
    timing = serializers.ListField(child=serializers.DictField())
    candidacy = serializers.ListField(child=serializers.DictField())
