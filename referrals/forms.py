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


class RadiotherapyReferralForm(SingleLineFieldsMixin, forms.Form):
    """A referral to radiation oncology (CLINICAL.md §15-§16): after separation surgery."""

    urgency = forms.ChoiceField(choices=[("green", "Green: within 7 days"),
                                         ("orange", "Orange: within 72 hours"),
                                         ("red", "Red: within 24 hours")], initial="green")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             label="What the radiation oncologist is asked to do")
