"""Every REST endpoint, under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api import PingView

# <id:...> (tumorboard.converters) is registered by tumorboard.urls, before any include.

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # content security policy needs no exception (tumorboard.middleware).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("ping/", PingView.as_view(), name="api-ping"),
    path("", include("scoring.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("followthrough.api_urls")),
    path("", include("integrations.api_urls")),
]
