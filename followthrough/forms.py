"""Forms of the tasks page: done (with the date) and not done (with the reason)."""

from __future__ import annotations

from django import forms


class TaskDoneForm(forms.Form):
    done_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              label="Done on")


class TaskNotDoneForm(forms.Form):
    not_done_reason = forms.CharField(max_length=2000, label="Why not done",
                                      widget=forms.TextInput())
