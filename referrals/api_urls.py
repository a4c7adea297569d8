"""REST routes of the referral pathway (included under /api/v1/ by tumorboard.api_urls)."""

from django.urls import path

from . import api
from .states import PERSON_ACTIONS

urlpatterns = [
    path("referrals/", api.ReferralListCreateView.as_view(), name="api-referrals"),
    path("referrals/<id:referral_id>/", api.ReferralDetailView.as_view(), name="api-referral"),
    *[
        path(f"referrals/<id:referral_id>/{action.value.replace('_', '-')}/",
             api.action_view(action).as_view(), name=f"api-referral-{action.value}")
        for action in PERSON_ACTIONS
    ],
    path("referrals/<id:referral_id>/workup/results/", api.WorkupResultView.as_view(),
         name="api-referral-workup-result"),
    path("referrals/<id:referral_id>/workup/exclude/", api.WorkupExcludeView.as_view(),
         name="api-referral-workup-exclude"),
    path("referrals/<id:referral_id>/workup/<slug:item_code>/", api.WorkupTickView.as_view(),
         name="api-referral-workup-tick"),
    path("alerts/", api.AlertListView.as_view(), name="api-alerts"),
    path("alerts/<id:alert_id>/ack/", api.AlertAckView.as_view(), name="api-alert-ack"),
]
