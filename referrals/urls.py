"""Referral pages, under /referrals/ (namespace ``referrals``)."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral-list"),
    path("<id:referral_id>/", views.referral_detail, name="referral-detail"),
    path("<id:referral_id>/act/<slug:action>/", views.referral_act, name="referral-act"),
    path("<id:referral_id>/workup/results/", views.workup_result, name="workup-result"),
    path("<id:referral_id>/workup/exclude/", views.workup_exclude, name="workup-exclude"),
    path("<id:referral_id>/workup/<slug:item_code>/", views.workup_tick, name="workup-tick"),
    path("flag/<id:case_id>/", views.flag_trigger, name="flag-trigger"),
    path("radiotherapy/<id:case_id>/", views.radiotherapy_refer, name="radiotherapy-refer"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/bell/", views.alert_bell, name="alert-bell"),
    path("alerts/<id:alert_id>/ack/", views.alert_ack, name="alert-ack"),
    path("metrics/", views.metrics, name="metrics"),
]
