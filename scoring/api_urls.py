from django.urls import path

from .api import ScoreEvaluateView

urlpatterns = [
    path("scores/evaluate/", ScoreEvaluateView.as_view(), name="api-scores-evaluate"),
]
