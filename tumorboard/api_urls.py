"""Every REST endpoint, under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from scoring.api import ScoreEvaluateView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("scores/evaluate/", ScoreEvaluateView.as_view(), name="api-scores-evaluate"),
    path("", include("cases.api_urls")),
    path("", include("referrals.api_urls")),
]
