"""Forms of the meeting pages. They validate shape only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from scoring.calculators import NomsPathway, Urgency
from tumorboard.labels import URGENCY, label
from tumorboard.models import User
from tumorboard.validators import SingleLineFieldsMixin

from .models import Specialty
from .snapshot import recommended


class MeetingCreateForm(SingleLineFieldsMixin, forms.Form):
    title = forms.CharField(max_length=200, initial="Spine metastasis MDT")
    starts_at = forms.DateTimeField(help_text="Local time, YYYY-MM-DD HH:MM",
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    duration_minutes = forms.IntegerField(min_value=5, max_value=24 * 60, initial=60)
    place = forms.CharField(max_length=200, required=False)
    video_link = forms.URLField(max_length=500, required=False, assume_scheme="https")
    chair: forms.ModelChoiceField = forms.ModelChoiceField(queryset=User.objects.none())
    attendees: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Invite (besides the chair and you)")
    record_past = forms.BooleanField(
        required=False, label="This meeting was already held: record it as a past meeting")
    past_reason = forms.CharField(required=False, max_length=2000,
                                  label="Why record a past meeting (only for a past meeting)")

    def __init__(self, *args: object, people: object, invitable: object,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = invitable  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", "give a place or a video link")
        return data


class FindCaseForm(SingleLineFieldsMixin, forms.Form):
    """Find a patient among one's own cases to put on the agenda (sent by POST: a name or an
    MRN never goes in a URL)."""

    find = forms.CharField(max_length=100, label="Patient name or MRN")


class AddCaseForm(SingleLineFieldsMixin, forms.Form):
    case = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               max_length=5000, label="Question for the board")


class DecisionForm(SingleLineFieldsMixin, forms.Form):
    pathway = forms.ChoiceField(choices=[(p.value, label(p.value, "pathway"))
                                         for p in NomsPathway])
    stabilisation = forms.BooleanField(required=False)
    urgency = forms.ChoiceField(
        choices=[("", "—"), *[(u.value, URGENCY[u.value]) for u in Urgency]], required=False)
    # Choices, not a ModelChoiceField: the in-session page renders one form per item from one
    # list of people read once (constant queries).
    # No default: the responsible clinician is chosen on purpose, from the clinicians only.
    responsible = forms.TypedChoiceField(coerce=int, empty_value=None,
                                         label="Responsible clinician")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    override_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      max_length=5000, label="Override reason (why the board "
                                                             "departs from the recommendation)")
    # The decision's version this form was read at (0: none yet): a stale submit is refused.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: object, people: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            ("", "Choose the responsible clinician"),
            *((person.pk, f"{person.display_name} ({person.get_role_display()})")
              for person in people)]


class PrepareForm(SingleLineFieldsMixin, forms.Form):
    """The presenter (a clinician of the case's care team) and the question for the board."""

    presenter = forms.TypedChoiceField(coerce=int, empty_value=None, required=False,
                                       label="Presenter")
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               max_length=5000, label="Question for the board")

    def __init__(self, *args: object, people: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].choices = [  # type: ignore[attr-defined]
            ("", "Choose the presenter"),
            *((person.pk, f"{person.display_name} ({person.get_role_display()})")
              for person in people)]


class OpinionForm(SingleLineFieldsMixin, forms.Form):
    specialty = forms.ChoiceField(choices=[("", "Choose the specialty"),
                                           *((code, label(code, "specialty"))
                                             for code in Specialty.values)],
                                  label="Specialty")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                           label="Preliminary opinion")


#: The finalize form's one field, as the page names it (and as its errors name it).
QUORUM_OVERRIDE_LABEL = "Why finalize without quorum (only when quorum is not met)"


class FinalizeForm(SingleLineFieldsMixin, forms.Form):
    quorum_override_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                             required=False, max_length=5000,
                                             label=QUORUM_OVERRIDE_LABEL)


class FollowUpForm(SingleLineFieldsMixin, forms.Form):
    carried_out = forms.TypedChoiceField(
        choices=[("yes", "carried out"), ("no", "not carried out")], coerce=lambda v: v == "yes")
    carried_out_at = forms.DateField(required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))


def decision_initial(item: Any) -> dict[str, Any]:
    """What a decision form shows when first read: the stored decision (with its version), or
    the service's recommendation; never a responsible clinician (chosen on purpose)."""
    decision = getattr(item, "decision", None)
    if decision is not None:
        return {"pathway": decision.pathway, "stabilisation": decision.stabilisation,
                "urgency": decision.urgency, "responsible": decision.responsible_id,
                "rationale": decision.rationale, "override_reason": decision.override_reason,
                "version": decision.version}
    pathway, stab = recommended(item.snapshot)
    return {"pathway": pathway or None, "stabilisation": bool(stab), "urgency": item.urgency,
            "version": 0}


def attach_decision_forms(items: list[Any], people: list[User],
                          bound: DecisionForm | None = None, bound_item: int | None = None
                          ) -> None:
    """One decision form per item (``bound`` for the item whose submit was refused, so that its
    input survives), the recommendation and the follow-up form."""
    for item in items:
        item.recommended = recommended(item.snapshot)[0]
        # Before the agenda is locked there is no snapshot, hence no recommendation yet: saying
        # "not scorable" beside the case's scores contradicted them.
        item.recommendation_pending = item.snapshot is None
        if bound is not None and item.pk == bound_item:
            item.form = bound
        else:
            item.form = DecisionForm(initial=decision_initial(item), people=people,
                                     prefix=f"item{item.pk}")
        item.follow_form = FollowUpForm(prefix=f"follow{item.pk}")
