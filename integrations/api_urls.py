"""REST routes of the integrations app (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenCreateView.as_view(), name="api-auth-token"),
    path("auth/tokens/", api.TokenListView.as_view(), name="api-auth-tokens"),
    path("auth/tokens/<id:token_id>/", api.TokenRevokeView.as_view(),
         name="api-auth-token-revoke"),
    path("webhooks/", api.WebhookListCreateView.as_view(), name="api-webhooks"),
    path("webhooks/<id:subscription_id>/", api.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<id:subscription_id>/deliveries/", api.WebhookDeliveryListView.as_view(),
         name="api-webhook-deliveries"),
    path("fhir/Patient/<id:pk>", api.FhirPatientView.as_view(), name="api-fhir-patient"),
    path("fhir/ServiceRequest/<id:pk>", api.FhirServiceRequestView.as_view(),
         name="api-fhir-servicerequest"),
    path("fhir/Task/<id:pk>", api.FhirTaskView.as_view(), name="api-fhir-task"),
    path("fhir/Observation/<id:pk>", api.FhirObservationView.as_view(),
         name="api-fhir-observation"),
    path("fhir/CarePlan/<id:pk>", api.FhirCarePlanView.as_view(), name="api-fhir-careplan"),
    path("cases/<id:case_id>/fhir/", api.FhirCaseBundleView.as_view(),
         name="api-case-fhir"),
]
