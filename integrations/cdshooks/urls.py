"""CDS Hooks 2.0 routes: the specification fixes the paths (no trailing slash)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cds-services", views.cds_discovery, name="cds-discovery"),
    path("cds-services/<slug:service_id>", views.cds_service, name="cds-service"),
]
