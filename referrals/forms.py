"""Forms of the referral pages (the API has its own serializers; both call the services)."""

from __future__ import annotations

from django import forms

from tumorboard.validators import SingleLineFieldsMixin

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
