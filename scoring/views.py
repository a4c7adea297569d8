"""The score calculator page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .calculators import ScoringInputError, evaluate_request
from .forms import LesionScoreFormSet, PatientScoreForm, apply_core_errors


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST":
        patient_form = PatientScoreForm(request.POST, prefix="patient")
        lesion_formset = LesionScoreFormSet(request.POST, prefix="lesion")
        if patient_form.is_valid() and lesion_formset.is_valid():
            filled = [f for f in lesion_formset.forms if f.has_changed() and f.cleaned_data]
            payload = {
                "patient": patient_form.as_request(),
                "lesions": [f.as_request() for f in filled],
            }
            try:
                result = evaluate_request(payload)
            except ScoringInputError as error:
                apply_core_errors(error.errors, patient_form, filled)
    else:
        patient_form = PatientScoreForm(prefix="patient")
        lesion_formset = LesionScoreFormSet(prefix="lesion")
    return render(
        request,
        "scoring/calculator.html",
        {"patient_form": patient_form, "lesion_formset": lesion_formset, "result": result},
    )
