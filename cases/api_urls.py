"""REST routes of the cases app (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api, api_systemic

urlpatterns = [
    path("cases/", api.CaseListCreateView.as_view(), name="api-cases"),
    path("cases/<id:case_id>/", api.CaseDetailView.as_view(), name="api-case"),
    path("cases/<id:case_id>/lesions/", api.CaseLesionCreateView.as_view(),
         name="api-case-lesions"),
    path("cases/<id:case_id>/assessments/", api.CaseAssessmentCreateView.as_view(),
         name="api-case-assessments"),
    path("cases/<id:case_id>/transitions/", api.CaseTransitionCreateView.as_view(),
         name="api-case-transitions"),
    path("cases/<id:case_id>/timeline/", api.CaseTimelineView.as_view(),
         name="api-case-timeline"),
    path("cases/<id:case_id>/systemic/", api_systemic.CaseSystemicView.as_view(),
         name="api-case-systemic"),
    path("cases/<id:case_id>/radiotherapy-plans/",
         api_systemic.CaseRadiotherapyPlanCreateView.as_view(),
         name="api-case-radiotherapy-plans"),
]
