"""Every database constraint has its validation in front of it: a violation sent through the API
serializer or the page form is a 400 (or the form shown again with the error), never a 500 from
an IntegrityError, and nothing is written.

Every CheckConstraint, UniqueConstraint and unique field of the project's models is listed in one
of two tables below: THROUGH_INPUT (a request that breaks it, checked here) or SET_BY_SERVICE
(no client input reaches the column: the service computes it, with the reason). A new constraint
in neither table fails test_every_constraint_is_classified.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import STUDY, on_its_day
from tests.security.test_bad_input import row_counts

pytestmark = pytest.mark.django_db

APPS = ("tumorboard", "cases", "referrals", "meetings", "integrations")

#: Constraints whose columns no request sets directly, with who sets them.
SET_BY_SERVICE = {
    "tumorboard.Institution.code": "admin ModelForm (validate_unique)",
    "tumorboard.User.user_role_valid": "admin ModelForm choices",
    "tumorboard.User.user_username_ci_unique": "admin ModelForm (validate_constraints)",
    "tumorboard.User.username": "admin ModelForm (validate_unique)",
    "tumorboard.Team.team_name_unique": "admin ModelForm (validate_constraints)",
    "tumorboard.Team.team_kind_valid": "admin ModelForm choices",
    "tumorboard.TeamMembership.membership_unique": "admin inline ModelForm",
    "tumorboard.TeamMembership.membership_one_lead": "admin inline ModelForm",
    "tumorboard.WorkerHeartbeat.hostname": "beat's heartbeat task (update_or_create)",
    "cases.Case.case_phase_valid": "case_transition: the timeline's allowed moves",
    "cases.CareTeamMember.care_team_member_once": "cases.access.care_team_add (get_or_create)",
    "cases.CareTeamMember.care_team_reason_valid": "set by the services from CareTeamReason",
    "cases.Assessment.assessment_sins_range": "computed by the scoring core",
    "cases.Assessment.assessment_tokuhashi_range": "computed by the scoring core",
    "cases.Assessment.assessment_tomita_range": "computed by the scoring core",
    "cases.Assessment.assessment_bilsky_valid": "copied from validated imaging",
    "cases.Assessment.assessment_urgency_valid": "computed by the scoring core",
    "cases.AuditEvent.seq": "the audit chain head",
    "cases.PhaseEvent.phase_event_from_valid": "the case's current phase",
    "cases.DutyTick.duty_tick_once_per_stay": "duty_tick is idempotent (checked below)",
    "referrals.Referral.referral_one_open_per_case_direction":
        "referral_flag extends the open referral",
    "referrals.Referral.referral_status_valid": "the referral state machine",
    "referrals.Referral.referral_direction_valid": "set by the trigger or the flag service",
    "referrals.Referral.referral_urgency_valid": "computed from the triggers (CLINICAL.md §9)",
    "referrals.Referral.referral_escalation_level_range": "the escalation beat job",
    "referrals.ReferralTrigger.referral_trigger_unique": "trigger codes deduplicated by service",
    "referrals.OccultWorkupItem.workup_item_unique": "created once with the referral",
    "referrals.Alert.alert_dedupe_key": "the exactly-once claim (referrals.alerts)",
    "referrals.Alert.alert_kind_valid": "set by the alert services",
    "referrals.Alert.alert_case_dedupe_key": "referrals.services.case_alerts_create (dedupe)",
    "referrals.Alert.alert_names_referral_or_case": "set by the alert services",
    "meetings.Meeting.meeting_status_valid": "the meeting state machine",
    "meetings.Attendance.attendance_once": "attendance_record updates in place",
    "meetings.AgendaItem.agenda_item_case_once": "agenda_populate / item_add skip listed cases",
    "meetings.AgendaItem.agenda_item_position_unique": "positions assigned by the agenda service",
    "meetings.AgendaItem.agenda_item_sins_range": "copied from the assessment",
    "meetings.Decision.decision_carried_out_date_needs_yes": "follow-up service (checked below)",
    "meetings.Decision.item": "decision_record updates the item's decision",
    "meetings.Packet.packet_one_per_audience": "packet_request reuses the row",
    "meetings.PreliminaryOpinion.opinion_once_per_author_specialty":
        "opinion_record updates the author's opinion for the specialty in place",
    "meetings.PreliminaryOpinion.opinion_specialty_valid":
        "opinion_record refuses another specialty (tests/meetings/test_prepare.py)",
    "meetings.PreliminaryOpinion.opinion_has_text":
        "opinion_record refuses an empty opinion (tests/meetings/test_prepare.py)",
    "meetings.Packet.packet_kind_valid": "checked below (kind)",
    "meetings.Packet.packet_status_valid": "the render task",
    "integrations.ApiToken.prefix": "random, generated by the token service",
    "integrations.IntegrationGrant.integration_grant_unique": "admin ModelForm / grant service",
    "integrations.AdtMessage.adt_message_control_id_unique":
        "integrations.adt.services claims the control id first (a duplicate answers AA)",
}

#: Broken only relative to the current state: refused with 409 and the allowed moves.
STATE_DEPENDENT = {"cases.PhaseEvent.phase_event_moves"}

CASE_BODY: dict[str, Any] = {
    "primary_status": "known_breast", "er": True, "pr": True, "her2": False, "ki67": 10.0,
    "kps": 80, "frankel": "E", "extraspinal_bone_metastases": 1, "vertebral_metastases": 2,
    "visceral_metastases": "none",
}
LESION_BODY: dict[str, Any] = {**STUDY, "imaging_date": "2026-01-05", "levels": ["T9"]}


def _case_create(world: Any, **change: Any) -> dict[str, Any]:
    patient = {"mrn": "C-NEW-1", "given_name": "Ann", "family_name": "Example",
               "birth_date": "1960-01-01", "sex": "female", **change.pop("patient", {})}
    return {**CASE_BODY, "patient": patient, "breast_team": world.case.breast_team_id,
            "spine_team": world.case.spine_team_id, **change}


#: constraint -> list of (who, method, URL name, URL args from the world, body builder).
THROUGH_INPUT: dict[str, list[tuple[str, str, str, str, Any]]] = {
    "cases.Patient.patient_mrn_unique_ci": [
        ("breast", "post", "api-cases", "", lambda w: _case_create(
            w, patient={"mrn": w.case.patient.mrn})),
        ("breast", "post", "api-cases", "", lambda w: _case_create(
            w, patient={"mrn": w.case.patient.mrn.swapcase()}))],
    "cases.Patient.patient_sex_valid": [
        ("breast", "post", "api-cases", "", lambda w: _case_create(w, patient={"sex": "x"}))],
    "cases.Case.case_primary_status_valid": [
        ("breast", "post", "api-cases", "", lambda w: _case_create(w, primary_status="maybe"))],
    "cases.Case.case_kps_range": [
        ("breast", "patch", "api-case", "case", lambda w: {"kps": 101})],
    "cases.Case.case_ecog_range": [
        ("breast", "patch", "api-case", "case", lambda w: {"ecog": 6})],
    "cases.Case.case_ki67_range": [
        ("breast", "patch", "api-case", "case", lambda w: {"ki67": 100.5}),
        ("breast", "patch", "api-case", "case", lambda w: {"ki67": -1})],
    "cases.Case.case_vertebral_metastases_min": [
        ("breast", "patch", "api-case", "case", lambda w: {"vertebral_metastases": 0})],
    "cases.Case.case_frankel_valid": [
        ("breast", "patch", "api-case", "case", lambda w: {"frankel": "F"})],
    "cases.Case.case_asia_valid": [
        ("breast", "patch", "api-case", "case", lambda w: {"asia": "Z"})],
    "cases.Case.case_has_a_surgical_team": [
        ("breast", "post", "api-cases", "", lambda w: _case_create(
            w, breast_team=None, spine_team=None))],
    "cases.Case.case_bone_dose_needs_agent": [
        ("breast", "patch", "api-case", "case", lambda w: {
            "bone_agent_last_dose": "2026-01-01", "bone_modifying_agent": ""})],
    "cases.SpinalLesion.lesion_label_unique": [
        ("breast", "post", "api-case-lesions", "case", lambda w: {**LESION_BODY,
                                                                    "levels": ["T7"]})],
    "cases.LesionImaging.imaging_one_per_lesion_and_day": [
        ("breast", "form", "cases:imaging-create", "lesion", lambda w: {
            **STUDY, "imaging_date": w.case.lesions.get().imagings.first().imaging_date})],
    "cases.LesionImaging.imaging_bilsky_needs_mri": [
        ("breast", "post", "api-case-lesions", "case", lambda w: {
            **LESION_BODY, "levels": ["L2"], "modality": "mri", "bilsky": ""}),
        ("breast", "form", "cases:imaging-create", "lesion", lambda w: {
            **STUDY, "imaging_date": "2026-02-03", "modality": "ct", "bilsky": "2"})],
    **{f"cases.LesionImaging.imaging_{field}_valid": [
        ("breast", "post", "api-case-lesions", "case", lambda w, f=field: {
            **LESION_BODY, f: "bogus"})]
       for field in ("pain", "bone_lesion", "alignment", "collapse", "posterolateral", "bilsky",
                     "modality")},
    "cases.FollowUpVisit.followup_pain_range": [
        ("breast", "form", "cases:followup-create", "case", lambda w: {"pain_nrs": 11})],
    "cases.FollowUpVisit.followup_kps_range": [
        ("breast", "form", "cases:followup-create", "case", lambda w: {"kps": 110})],
    "cases.FollowUpVisit.followup_ecog_range": [
        ("breast", "form", "cases:followup-create", "case", lambda w: {"ecog": 7})],
    "cases.FollowUpVisit.followup_frankel_valid": [
        ("breast", "form", "cases:followup-create", "case", lambda w: {"frankel": "Q"})],
    **{f"cases.FollowUpVisit.followup_{field}_range": [
        ("breast", "form", "cases:followup-create", "case", lambda w, f=field: {f: 101})]
       for field in ("qlq_c30_global", "bm22_painful_sites", "bm22_pain_characteristics",
                     "bm22_functional_interference", "bm22_psychosocial_aspects")},
    **{f"cases.FollowUpVisit.followup_{field}_range": [
        ("breast", "form", "cases:followup-create", "case", lambda w, f=field: {f: "10.5"})]
       for field in ("mdasi_severity", "mdasi_interference")},
    "cases.FollowUpVisit.followup_analgesics_valid": [
        ("breast", "form", "cases:followup-create", "case", lambda w: {"analgesics": "opium"})],
    "referrals.OccultWorkupResult.workup_result_kind_valid": [
        ("neuro", "post", "api-referral-workup-result", "referral", lambda w: {
            "kind": "horoscope", "taken_on": "2026-01-05"})],
    "referrals.OccultWorkupResult.workup_result_birads_range": [
        ("neuro", "post", "api-referral-workup-result", "referral", lambda w: {
            "kind": "breast_imaging", "taken_on": "2026-01-05", "modality": "mammography",
            "birads_left": 7})],
    "referrals.OccultWorkupResult.workup_result_ki67_range": [
        ("neuro", "post", "api-referral-workup-result", "referral", lambda w: {
            "kind": "biopsy", "taken_on": "2026-01-05", "biopsy_site": "spine",
            "breast_origin": True, "ki67": 100.5})],
    **{f"cases.SurgeryRecord.surgery_{field}_valid": [
        ("neuro", "form", "cases:surgery-create", "case", lambda w, f=field: {
            "performed_on": "2026-01-05", "procedure": "en_bloc", "approach": "posterior",
            "levels": "T7", "instrumentation": "vbr", f: "bogus"})]
       for field in ("procedure", "approach", "instrumentation")},
    "cases.PhaseEvent.phase_event_to_valid": [
        ("breast", "post", "api-case-transitions", "case", lambda w: {
            "to_phase": "theatre", "reason": "x"}),
        ("breast", "form", "cases:transition-create", "case", lambda w: {
            "to_phase": "theatre", "reason": "x"})],
    # A move to the phase the case is in is refused by the timeline's rules, which depend on the
    # case's state: a 409 naming the allowed moves (tumorboard.errors.Conflict), not a 500.
    "cases.PhaseEvent.phase_event_moves": [
        ("breast", "post", "api-case-transitions", "case", lambda w: {
            "to_phase": w.case.phase, "reason": "x"})],
    # Systemic therapy, laboratory values and the radiotherapy plan (CLINICAL.md §16).
    "cases.SystemicTherapyEpisode.episode_class_valid": [
        ("breast", "form", "cases:episode-create", "case", lambda w: {
            "therapy_class": "vitamins", "drug": "x", "started_on": "2026-01-01"})],
    "cases.SystemicTherapyEpisode.episode_stops_after_start": [
        ("breast", "form", "cases:episode-create", "case", lambda w: {
            "therapy_class": "endocrine", "drug": "letrozole", "started_on": "2026-01-10",
            "stopped_on": "2026-01-01", "stop_reason": "x"})],
    "cases.TherapyHold.hold_ends_after_start": [
        ("breast", "form", "cases:hold-create", "episode", lambda w: {
            "held_from": "2026-01-10", "held_to": "2026-01-05", "reason": "x"})],
    "cases.LabValue.lab_kind_valid": [
        ("breast", "form", "cases:lab-create", "case", lambda w: {
            "kind": "glucose", "value": "5", "taken_on": "2026-01-01"})],
    "cases.LabValue.lab_value_not_negative": [
        ("breast", "form", "cases:lab-create", "case", lambda w: {
            "kind": "anc", "value": "-1", "taken_on": "2026-01-01"})],
    **{f"cases.RadiotherapyPlan.rt_plan_{name}": [
        ("radonc", "post", "api-case-radiotherapy-plans", "case", lambda w, c=change: {
            "technique": "sbrt", "dose_gy": 24, "fractions": 2, "target_levels": ["T7"],
            "planned_start": "2026-01-10", **c})]
       for name, change in (
           ("technique_valid", {"technique": "protons"}), ("dose_positive", {"dose_gy": 0}),
           ("fractions_min", {"fractions": 0}),
           ("planned_end_after_start", {"planned_end": "2026-01-01"}),
           ("actual_end_after_start", {"actual_end": "2026-01-12"}))},
    "referrals.Referral.referral_decline_has_reason": [
        ("neuro", "post", "api-referral-decline", "referral", lambda w: {"reason": ""})],
    "meetings.Meeting.meeting_has_place_or_link": [
        ("coordinator", "post", "api-meetings", "", lambda w: {
            "mdt_team": w.meeting.mdt_team_id, "chair": w.meeting.chair_id,
            "starts_at": (timezone.now() + dt.timedelta(days=9)).isoformat(),
            "place": "", "video_link": ""})],
    "meetings.Meeting.meeting_duration_range": [
        ("coordinator", "post", "api-meetings", "", lambda w, m=minutes: {
            "mdt_team": w.meeting.mdt_team_id, "chair": w.meeting.chair_id,
            "starts_at": (timezone.now() + dt.timedelta(days=9)).isoformat(),
            "place": "Room", "duration_minutes": m}) for minutes in (4, 1441)],
    "meetings.Decision.decision_pathway_valid": [
        ("neuro", "post", "api-meeting-item-decision", "item", lambda w: {
            "pathway": "amputation", "responsible": w.meeting.chair_id, "rationale": "x"})],
    "meetings.Decision.decision_urgency_valid": [
        ("neuro", "post", "api-meeting-item-decision", "item", lambda w: {
            "pathway": "cebrt", "urgency": "purple", "responsible": w.meeting.chair_id,
            "rationale": "x"})],
    "meetings.Decision.decision_has_rationale": [
        ("neuro", "post", "api-meeting-item-decision", "item", lambda w: {
            "pathway": "cebrt", "responsible": w.meeting.chair_id, "rationale": ""})],
    "meetings.Decision.decision_override_has_reason": [
        ("neuro", "post", "api-meeting-item-decision", "in-session item", lambda w: {
            "pathway": "en_bloc_resection", "responsible": w.meeting.chair_id,
            "rationale": "x", "override_reason": ""})],
}


def all_constraints() -> set[str]:
    names = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in APPS or model.__name__.startswith("Historical"):
            continue
        for constraint in meta.constraints:
            if isinstance(constraint, models.CheckConstraint | models.UniqueConstraint):
                names.add(f"{meta.label}.{constraint.name}")
        names.update(f"{meta.label}.{f.name}" for f in meta.fields
                     if f.unique and not f.primary_key)
        if meta.unique_together:
            names.add(f"{meta.label}.unique_together")
    return names


def test_every_constraint_is_classified() -> None:
    found = all_constraints()
    assert len(found) > 60
    unclassified = sorted(found - set(THROUGH_INPUT) - set(SET_BY_SERVICE))
    stale = sorted((set(THROUGH_INPUT) | set(SET_BY_SERVICE)) - found)
    assert unclassified == [], f"constraints without a validation check: {unclassified}"
    assert stale == [], f"classified constraints that no longer exist: {stale}"
    print(f"\nconstraints: {len(found)}; {len(THROUGH_INPUT)} broken through input here, "
          f"{len(SET_BY_SERVICE)} set by services")


def _url(name: str, scope: str, world: Any) -> str:
    if scope == "episode":
        from cases import services

        episode = services.episode_create(
            case=world.case, actor=world.case.created_by, therapy_class="endocrine",
            drug="letrozole", started_on=dt.date(2026, 1, 1))
        return reverse(name, args=[world.case.pk, episode.pk])
    args = {"": [], "case": [world.case.pk], "referral": [world.referral.pk],
            "lesion": [world.case.pk, world.case.lesions.get().pk],
            "item": [world.meeting.pk, world.item.pk],
            "in-session item": [world.meeting.pk, world.item.pk]}[scope]
    return reverse(name, args=args)


@pytest.mark.parametrize("constraint", sorted(THROUGH_INPUT))
def test_breaking_a_constraint_through_input_is_a_400_and_writes_nothing(
    constraint, world_a, breast_surgeon, neurosurgeon, coordinator, oncologist
) -> None:
    people = {"breast": breast_surgeon, "neuro": neurosurgeon, "coordinator": coordinator,
              "radonc": oncologist}
    for who, method, name, scope, build in THROUGH_INPUT[constraint]:
        if scope == "in-session item":
            from meetings import services

            services.meeting_lock(meeting=world_a.meeting, actor=coordinator)
            services.meeting_start(meeting=on_its_day(world_a.meeting), actor=coordinator)
        if who == "radonc":  # the radiation oncologist plans on a case of their care team
            world_a.case.oncologists.add(oncologist)
        url, body = _url(name, scope, world_a), build(world_a)
        before = row_counts()
        if method == "form":
            client = Client(raise_request_exception=False)
            client.force_login(people[who])
            response = client.post(url, body)
            assert response.status_code == 200, (constraint, response.status_code)
            form = response.context["form"]
            assert form.errors, (constraint, "the form accepted it")
        else:
            api = APIClient(raise_request_exception=False)
            api.force_authenticate(people[who])
            if method == "patch":
                body = {"version": world_a.case.__class__.objects.get(
                    pk=world_a.case.pk).version, **body}
            response = getattr(api, method)(url, body, format="json")
            expected = 409 if constraint in STATE_DEPENDENT else 400
            assert response.status_code == expected, (constraint, response.status_code,
                                                      response.content[:300])
            assert response.json(), "a 400 names the field and the reason"
        after = row_counts()
        changed = {k for k in before if before[k] != after[k]}
        assert changed <= {"cases.auditevent"}, (constraint, changed)
