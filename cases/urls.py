"""Case pages, under /cases/ (namespace ``cases``)."""

from django.urls import path

from . import views, views_systemic

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/<id:patient_id>/cases/new/", views.case_create, name="case-create"),
    path("<id:case_id>/", views.case_detail, name="case-detail"),
    path("<id:case_id>/edit/", views.case_edit, name="case-edit"),
    path("<id:case_id>/as-of/", views.case_as_of, name="case-as-of"),
    path("<id:case_id>/lesions/new/", views.lesion_create, name="lesion-create"),
    path("<id:case_id>/lesions/<id:lesion_id>/imaging/new/", views.imaging_create,
         name="imaging-create"),
    path("<id:case_id>/assessments/new/", views.assessment_create, name="assessment-create"),
    path("<id:case_id>/phase/", views.transition_create, name="transition-create"),
    path("<id:case_id>/checklist/<id:event_id>/<slug:duty_code>/tick/", views.duty_tick,
         name="duty-tick"),
    path("<id:case_id>/checklist/ticks/<id:tick_id>/untick/", views.duty_untick,
         name="duty-untick"),
    path("<id:case_id>/followups/new/", views.followup_create, name="followup-create"),
    path("<id:case_id>/surgery/new/", views.surgery_create, name="surgery-create"),
    path("<id:case_id>/care-team/specialist/", views.specialist_add, name="specialist-add"),
    # Systemic therapy episodes, holds and laboratory values (CLINICAL.md §16).
    path("<id:case_id>/therapy/new/", views_systemic.episode_create, name="episode-create"),
    path("<id:case_id>/therapy/<id:episode_id>/stop/", views_systemic.episode_stop,
         name="episode-stop"),
    path("<id:case_id>/therapy/<id:episode_id>/holds/new/", views_systemic.hold_create,
         name="hold-create"),
    path("<id:case_id>/therapy/holds/<id:hold_id>/end/", views_systemic.hold_end,
         name="hold-end"),
    path("<id:case_id>/labs/new/", views_systemic.lab_create, name="lab-create"),
    path("<id:case_id>/radiotherapy/new/", views_systemic.plan_create, name="plan-create"),
    path("<id:case_id>/radiotherapy/<id:plan_id>/", views_systemic.plan_edit, name="plan-edit"),
]
