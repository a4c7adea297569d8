"""The score calculator form: the inputs of POST /api/v1/scores/evaluate/ as a page.

The form only shapes the request; the scoring core validates and scores it, so that the page and
the API can never disagree. Errors the core reports by field path are put on the matching field.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from tumorboard.validators import SingleLineFieldsMixin

from .calculators import (
    Alignment,
    BilskyGrade,
    BoneLesion,
    Collapse,
    Frankel,
    MolecularSubtype,
    Pain,
    Posterolateral,
    PrimarySite,
    VisceralMetastases,
)

TRI_STATE = [("", "not known"), ("yes", "positive / yes"), ("no", "negative / no")]


def _choices(enum: type, blank: str = "choose…") -> list[tuple[str, str]]:
    # A blank first option: an input nobody chose must be an error, never a silent default.
    options = [(m.value, m.value.replace("_", " ")) for m in enum]  # type: ignore[attr-defined]
    return [("", blank), *options]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PatientScoreForm(SingleLineFieldsMixin, forms.Form):
    primary_site = forms.ChoiceField(choices=_choices(PrimarySite))
    subtype = forms.ChoiceField(
        choices=_choices(MolecularSubtype, blank="derive from receptors"), required=False
    )
    er = forms.ChoiceField(label="ER", choices=TRI_STATE, required=False)
    pr = forms.ChoiceField(label="PR", choices=TRI_STATE, required=False)
    her2 = forms.ChoiceField(label="HER2", choices=TRI_STATE, required=False)
    ki67 = forms.IntegerField(label="Ki-67 (%)", min_value=0, max_value=100, required=False)
    kps = forms.TypedChoiceField(
        label="KPS", coerce=int, empty_value=None, required=False,
        choices=[("", "not known")] + [(str(k), str(k)) for k in range(100, -1, -10)],
    )
    ecog = forms.TypedChoiceField(
        label="ECOG", coerce=int, empty_value=None, required=False,
        choices=[("", "not known")] + [(str(e), str(e)) for e in range(5)],
    )
    frankel = forms.ChoiceField(choices=_choices(Frankel))
    neurological_deficit = forms.BooleanField(
        label="Limb weakness, sensory loss or sphincter dysfunction", required=False
    )
    extraspinal_bone_metastases = forms.IntegerField(min_value=0)
    vertebral_metastases = forms.IntegerField(
        label="Vertebrae with metastases (index lesion included)", min_value=0
    )
    visceral_metastases = forms.ChoiceField(choices=_choices(VisceralMetastases))
    new_patient = forms.BooleanField(required=False)
    new_or_progressive_back_pain = forms.BooleanField(required=False)
    ambulatory = forms.ChoiceField(label="Walks independently", choices=TRI_STATE,
                                   required=False)
    albumin_g_dl = forms.DecimalField(label="Serum albumin (g/dL)", min_value=0, max_value=10,
                                      decimal_places=1, required=False)

    def as_request(self) -> dict[str, Any]:
        data = self.cleaned_data
        patient: dict[str, Any] = {
            key: data[key]
            for key in ("primary_site", "frankel", "extraspinal_bone_metastases",
                        "vertebral_metastases", "visceral_metastases", "neurological_deficit",
                        "new_patient", "new_or_progressive_back_pain")
        }
        for key in ("subtype", "kps", "ecog"):
            if data[key] not in (None, ""):
                patient[key] = data[key]
        receptors = {key: _tri(data[key]) for key in ("er", "pr", "her2")}
        if any(value is not None for value in receptors.values()):
            patient["receptors"] = {k: v for k, v in receptors.items() if v is not None}
            if data["ki67"] is not None:
                patient["receptors"]["ki67"] = data["ki67"]
        if _tri(data["ambulatory"]) is not None:
            patient["ambulatory"] = _tri(data["ambulatory"])
        if data["albumin_g_dl"] is not None:
            patient["albumin_g_dl"] = float(data["albumin_g_dl"])
        return patient


class LesionScoreForm(SingleLineFieldsMixin, forms.Form):
    levels = forms.CharField(
        help_text="Vertebral levels, e.g. T11, T12 (C0 = occiput)", max_length=200
    )
    pain = forms.ChoiceField(choices=_choices(Pain))
    bone_lesion = forms.ChoiceField(choices=_choices(BoneLesion))
    alignment = forms.ChoiceField(choices=_choices(Alignment))
    collapse = forms.ChoiceField(choices=_choices(Collapse))
    posterolateral = forms.ChoiceField(choices=_choices(Posterolateral))
    bilsky = forms.ChoiceField(label="Bilsky grade", choices=_choices(BilskyGrade))
    progressed_within_6_weeks = forms.BooleanField(required=False)
    progressed_after_radiation = forms.BooleanField(required=False)

    def as_request(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["levels"] = [lv for lv in re.split(r"[\s,;]+", data["levels"].strip()) if lv]
        return data


LesionScoreFormSet = forms.formset_factory(
    LesionScoreForm, extra=3, max_num=10, min_num=1, validate_min=True
)

_LESION_PATH = re.compile(r"^lesions\[(\d+)\](?:\.(\w+))?")


def apply_core_errors(
    errors: dict[str, list[str]],
    patient_form: PatientScoreForm,
    lesion_forms: list[LesionScoreForm],
) -> None:
    """Put each error of the scoring core on the field it names."""
    for path, reasons in errors.items():
        message = " ".join(reasons)
        lesion = _LESION_PATH.match(path)
        if lesion:
            form = lesion_forms[int(lesion.group(1))]
            field = lesion.group(2)
            form.add_error(field if field in form.fields else None, message)
            continue
        field = path.removeprefix("patient.").split(".")[0].split("[")[0]
        if field in patient_form.fields:
            patient_form.add_error(field, message)
        elif field == "receptors":
            patient_form.add_error("er", message)
        else:
            patient_form.add_error(None, f"{path}: {message}")
