"""REST routes of the integrations app (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api
from .fhir import read
from .fhir import views as fhir

# FHIR R4 (integrations.fhir): metadata, the CodeSystem, search and read per type, then a 404
# OperationOutcome for any other path under fhir/.
fhir_urls = [
    path("fhir/metadata", fhir.MetadataView.as_view(), name="api-fhir-metadata"),
    path("fhir/CodeSystem/spine-scores", fhir.CodeSystemView.as_view(),
         name="api-fhir-codesystem"),
    *[path(f"fhir/{kind}", fhir.search_view(kind).as_view(),
           name=f"api-fhir-{kind.lower()}-search")
      for kind in ("Patient", "Condition", "Observation", "ServiceRequest", "Task", "CarePlan")],
    path("fhir/Patient/<id:pk>", fhir.read_view("Patient", read.patient,
                                                "The patient as a FHIR R4 Patient").as_view(),
         name="api-fhir-patient"),
    path("fhir/ServiceRequest/<id:pk>", fhir.read_view(
        "ServiceRequest", read.service_request,
        "A referral as a FHIR R4 ServiceRequest (priority from urgency)").as_view(),
         name="api-fhir-servicerequest"),
    path("fhir/Task/<str:pk>", fhir.read_view(
        "Task", read.any_task, "A referral's triage (id: the referral's), or a follow-through "
                               "task of an MDT decision (id ft-<id>), as a FHIR R4 Task").as_view(),
         name="api-fhir-task"),
    path("fhir/Observation/<str:pk>", fhir.read_view(
        "Observation", read.observation,
        "An assessment's panel, score, marker or performance status").as_view(),
         name="api-fhir-observation"),
    path("fhir/Condition/<str:pk>", fhir.read_view(
        "Condition", read.condition, "A case's primary or secondary cancer").as_view(),
         name="api-fhir-condition"),
    path("fhir/CarePlan/<id:pk>", fhir.read_view(
        "CarePlan", read.care_plan, "An MDT decision as a FHIR R4 CarePlan").as_view(),
         name="api-fhir-careplan"),
    path("cases/<id:case_id>/fhir/", fhir.CaseBundleView.as_view(), name="api-case-fhir"),
    path("fhir/<path:rest>", fhir.UnknownView.as_view(), name="api-fhir-unknown"),
]

urlpatterns = [
    path("auth/token/", api.TokenCreateView.as_view(), name="api-auth-token"),
    path("auth/tokens/", api.TokenListView.as_view(), name="api-auth-tokens"),
    path("auth/tokens/<id:token_id>/", api.TokenRevokeView.as_view(),
         name="api-auth-token-revoke"),
    path("webhooks/", api.WebhookListCreateView.as_view(), name="api-webhooks"),
    path("webhooks/<id:subscription_id>/", api.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<id:subscription_id>/rotate-secret/", api.WebhookRotateSecretView.as_view(),
         name="api-webhook-rotate-secret"),
    path("webhooks/<id:subscription_id>/deliveries/", api.WebhookDeliveryListView.as_view(),
         name="api-webhook-deliveries"),
    *fhir_urls,
]
