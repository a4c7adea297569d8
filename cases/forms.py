"""Forms of the case pages. They validate what a person typed; the services decide the rest."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from scoring.calculators import LEVELS
from tumorboard.labels import field_label
from tumorboard.models import Team, User
from tumorboard.roles import Role
from tumorboard.validators import SingleLineFieldsMixin

from . import deficit, timeline
from .models import (
    Case,
    FollowUpVisit,
    LabValue,
    LesionImaging,
    Patient,
    RadiotherapyPlan,
    SystemicTherapyEpisode,
    TherapyHold,
)
from .models.lesion import BILSKY_MODALITIES, Modality, validate_levels
from .models.outcome import MDASI_FIELDS, PRO_FIELDS
from .models.surgery import Complication, SurgeryRecord
from .services import CASE_CLINICAL_FIELDS, IMAGING_FIELDS

_DATE = forms.DateInput(attrs={"type": "date"})
_NULL_BOOL = forms.NullBooleanSelect


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form: on the field it names, else at the top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            elif name == NON_FIELD_ERRORS:
                form.add_error(None, message)
            else:
                form.add_error(None, f"{field_label(name)}: {message}")


class PatientForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["mrn", "given_name", "family_name", "birth_date", "sex"]
        widgets = {"birth_date": _DATE}

    def validate_unique(self) -> None:
        """MRN uniqueness is per institution: the service checks it with the person's."""


class CaseForm(SingleLineFieldsMixin, forms.ModelForm):
    """The clinical picture and care team of a case; on creation also its start phase."""

    phase = forms.ChoiceField(
        choices=[(p.value, p.label) for p in timeline.START_PHASES],
        initial=timeline.Phase.INITIAL_DIAGNOSIS.value,
        help_text="Spine metastasis detection when the neurosurgeon sees the patient first.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [*CASE_CLINICAL_FIELDS, "breast_team", "spine_team", "mdt_team", "oncologists"]
        widgets = {
            "bone_agent_last_dose": _DATE, "anc_date": _DATE, "planned_surgery_date": _DATE,
            "deficit_onset_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                    format="%Y-%m-%dT%H:%M"),
            "er": _NULL_BOOL, "pr": _NULL_BOOL, "her2": _NULL_BOOL,
            "neurological_deficit": _NULL_BOOL, "new_or_progressive_back_pain": _NULL_BOOL,
            "new_patient": _NULL_BOOL, "ambulatory": _NULL_BOOL,
            "oncologists": forms.CheckboxSelectMultiple,
        }  # fmt: skip
        labels = {"mdt_team": "MDT team"}

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (("breast_team", Team.Kind.BREAST), ("spine_team", Team.Kind.SPINE),
                           ("mdt_team", Team.Kind.MDT)):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = Team.objects.filter(
                kind=kind)
        cast(forms.ModelChoiceField, self.fields["oncologists"]).queryset = User.objects.filter(
            role__in=[Role.RADIATION_ONCOLOGIST, Role.MEDICAL_ONCOLOGIST]).order_by("last_name")
        if creating:
            del self.fields["version"]
        else:
            del self.fields["phase"]

    def clean(self) -> dict[str, Any]:
        """The deficit onset (CLINICAL.md §9a): a date and hour or "unknown" with a deficit."""
        cleaned = super().clean() or {}
        values = {name: cleaned.get(name, getattr(self.instance, name, None))
                  for name in ("frankel", "neurological_deficit", "deficit_onset_at",
                               "deficit_onset_unknown")}
        for name, message in deficit.onset_errors(values).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


class LesionForm(SingleLineFieldsMixin, forms.ModelForm):
    """A new lesion and its first imaging study."""

    label = forms.CharField(max_length=60, required=False,
                            help_text="Optional; the levels by default (e.g. T11-T12).")
    levels = forms.CharField(max_length=120, help_text="Comma-separated, e.g. T11, T12")

    class Meta:
        model = LesionImaging
        fields = list(IMAGING_FIELDS)
        widgets = {"imaging_date": _DATE}

    field_order = ["label", "levels", *IMAGING_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lesion is scored from its first study, which must grade Bilsky.
        modality = cast(forms.ChoiceField, self.fields["modality"])
        modality.choices = [(m.value, m.label) for m in Modality if m.value in BILSKY_MODALITIES]
        modality.help_text = ("A new lesion starts from its MRI (or CT myelography); add CT, "
                              "PET-CT, bone scintigraphy or radiographs as further studies.")
        _modality_defaults_to_mri(self)

    def clean_modality(self) -> str:
        return self.cleaned_data.get("modality") or Modality.MRI.value

    def clean_levels(self) -> list[str]:
        raw = [part.strip().upper() for part in self.cleaned_data["levels"].split(",")]
        levels = [part for part in raw if part]
        known = {str(level) for level in LEVELS}
        unknown = [level for level in levels if level not in known]
        if unknown:
            raise ValidationError(f"unknown level(s): {', '.join(unknown)}")
        return levels


class ImagingForm(SingleLineFieldsMixin, forms.ModelForm):
    """A further study of an existing lesion (serial imaging)."""

    class Meta:
        model = LesionImaging
        fields = list(IMAGING_FIELDS)
        widgets = {"imaging_date": _DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _modality_defaults_to_mri(self)

    def clean_modality(self) -> str:
        return self.cleaned_data.get("modality") or Modality.MRI.value


def _modality_defaults_to_mri(form: forms.BaseForm) -> None:
    """The select starts on MRI (the model's default); a post without it means MRI, as in the
    API (a script posting the older form keeps its meaning)."""
    form.fields["modality"].required = False


class TransitionForm(SingleLineFieldsMixin, forms.Form):
    to_phase = forms.ChoiceField(label="Move to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        here = timeline.Phase(case.phase)
        cast(forms.ChoiceField, self.fields["to_phase"]).choices = [
            (phase.value, f"{phase.label}: {timeline.ALLOWED_MOVES[(here, phase)]}")
            for phase in timeline.allowed_moves(case.phase)
        ]


class FollowUpForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        fields = [
            "visit_date", "frankel", "asia", "ecog", "kps", "pain_nrs", "analgesics",
            "ambulation", *PRO_FIELDS, *MDASI_FIELDS, "new_metastases", "new_spinal_lesions",
            "implant_integrity", "local_control", "survival_status",
        ]
        widgets = {"visit_date": _DATE, "new_metastases": _NULL_BOOL,
                   "new_spinal_lesions": _NULL_BOOL}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every new visit records analgesic use (§18); older visits may lack it.
        self.fields["analgesics"].required = True
        self.fields["analgesics"].error_messages["required"] = "say which analgesics, or none"


class SpecialistAddForm(forms.Form):
    """A palliative care physician or a physiotherapist of the patient's hospital (issue 19); the
    case page draws the choices (cases.services.case_specialists)."""

    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Add to the care team",
        error_messages={"invalid_choice": "choose a palliative care physician or physiotherapist "
                                          "of this hospital"})

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        from .services import specialists_available

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = specialists_available(case)


class SurgeryForm(SingleLineFieldsMixin, forms.ModelForm):
    """The operation (issue 19): procedure, approach, levels, instrumentation, complications."""

    levels = forms.CharField(max_length=120, help_text="Comma-separated, e.g. T11, T12")
    complications = forms.MultipleChoiceField(
        choices=Complication.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty when there was none.")

    class Meta:
        model = SurgeryRecord
        fields = ["performed_on", "procedure", "approach", "levels", "instrumentation",
                  "complications", "complication_note"]
        widgets = {"performed_on": _DATE, "complication_note": forms.Textarea(attrs={"rows": 2})}

    def clean_levels(self) -> list[str]:
        levels = [part.strip().upper() for part in self.cleaned_data["levels"].split(",")
                  if part.strip()]
        try:
            validate_levels(levels)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return levels

class EpisodeForm(SingleLineFieldsMixin, forms.ModelForm):
    """One systemic therapy episode (CLINICAL.md §16)."""

    class Meta:
        model = SystemicTherapyEpisode
        fields = ["therapy_class", "drug", "started_on", "last_dose_on", "stopped_on",
                  "stop_reason"]
        widgets = {"started_on": _DATE, "stopped_on": _DATE, "last_dose_on": _DATE}


class EpisodeStopForm(forms.Form):
    stopped_on = forms.DateField(widget=_DATE)
    stop_reason = forms.CharField(max_length=200)


class HoldForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = TherapyHold
        fields = ["held_from", "held_to", "reason"]
        widgets = {"held_from": _DATE, "held_to": _DATE}


class HoldEndForm(forms.Form):
    held_to = forms.DateField(label="Hold ended on", widget=_DATE)


class LabForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = LabValue
        fields = ["kind", "value", "taken_on"]
        widgets = {"taken_on": _DATE}


class RadiotherapyPlanForm(SingleLineFieldsMixin, forms.ModelForm):
    """The radiotherapy plan (CLINICAL.md §16); target levels typed as "T7, T8"."""

    target_levels = forms.CharField(max_length=200, help_text="The treated levels, e.g. T7, T8.")

    class Meta:
        model = RadiotherapyPlan
        fields = ["technique", "dose_gy", "fractions", "target_levels", "surgery_date",
                  "planned_start", "planned_end", "actual_start", "actual_end"]
        widgets = dict.fromkeys(("surgery_date", "planned_start", "planned_end", "actual_start",
                                 "actual_end"), _DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = kwargs.get("instance")
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["target_levels"] = ", ".join(instance.target_levels)

    def clean_target_levels(self) -> list[str]:
        raw = self.cleaned_data.get("target_levels", "")
        return [part.strip().upper() for part in raw.replace(";", ",").split(",") if part.strip()]
