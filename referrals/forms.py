"""Forms of the referral pages (the API has its own serializers; both call the services)."""

from __future__ import annotations

from typing import Any

from django import forms

from tumorboard.validators import SingleLineFieldsMixin

from .models import OccultWorkupResult
from .services import MANUAL_TRIGGERS


class FlagTriggerForm(SingleLineFieldsMixin, forms.Form):
    trigger_codes = forms.MultipleChoiceField(
        label="Triggers", widget=forms.CheckboxSelectMultiple,
        choices=[(code, code.replace("_", " ")) for code in sorted(MANUAL_TRIGGERS)])
    note = forms.CharField(required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReferralActionForm(SingleLineFieldsMixin, forms.Form):
    """The optional or required text of a move: reason, question, answer or note."""

    text = forms.CharField(required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class WorkupResultForm(SingleLineFieldsMixin, forms.ModelForm):
    """One result of the occult-primary work-up (CLINICAL.md §17). Which fields each kind takes
    is the service's check (``referrals.workup_rules.KIND_FIELDS``); its refusals come back on the
    field they name."""

    birads_left = forms.TypedChoiceField(
        label="BI-RADS left", required=False, coerce=int, empty_value=None,
        choices=[("", "not imaged"), *((n, str(n)) for n in range(7))],
        help_text="0-6; 6 is a biopsy-proven malignancy and confirms a breast primary.")
    birads_right = forms.TypedChoiceField(
        label="BI-RADS right", required=False, coerce=int, empty_value=None,
        choices=[("", "not imaged"), *((n, str(n)) for n in range(7))])

    class Meta:
        model = OccultWorkupResult
        fields = ["kind", "taken_on", "marker", "value", "unit", "upper_limit", "modality",
                  "birads_left", "birads_right", "other_lesions", "breast_focus",
                  "axillary_focus", "biopsy_site", "breast_origin", "er", "pr", "her2", "ki67",
                  "note"]
        widgets = {"taken_on": forms.DateInput(attrs={"type": "date"}),
                   "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "upper_limit": "The laboratory's upper reference limit, in the same unit.",
            "unit": "CA 15-3 U/mL, CEA ng/mL, alkaline phosphatase U/L (filled in when empty).",
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service's keywords (``kind``, ``taken_on``, ``note`` and the
        result's own fields)."""
        return dict(self.cleaned_data)


class WorkupExcludeForm(SingleLineFieldsMixin, forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "say why the work-up excludes the breast"})
class RadiotherapyReferralForm(SingleLineFieldsMixin, forms.Form):
    """A referral to radiation oncology (CLINICAL.md §15-§16): after separation surgery."""

    urgency = forms.ChoiceField(choices=[("green", "Green: within 7 days"),
                                         ("orange", "Orange: within 72 hours"),
                                         ("red", "Red: within 24 hours")], initial="green")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             label="What the radiation oncologist is asked to do")
