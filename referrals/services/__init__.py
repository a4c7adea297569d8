"""Every write of the referral pathway: one function per change, called by pages, API, tasks.

Each is atomic, locks the referral row (``select_for_update``: concurrent triage has exactly one
winner), checks the move against ``referrals.states``, writes its ``ReferralEvent`` and audit row
in the same transaction, and enqueues its alerts on commit (ids only). Refusals: ``IllegalMove``
(HTTP 409), ``PermissionDenied`` (403), ``ValidationError`` keyed by field (400).

By concept: ``teams`` (who sends, receives, is a party), ``events`` (event rows and the
``referral_status_changed`` signal), ``alerts`` (alert rows and the outbox), ``raising`` (raise,
extend, send, flag by hand), ``transitions`` (the triage moves), ``workup`` (the occult-primary
work-up), ``escalation`` (the SLA escalation beat job). The names below are the public ones;
tunables and internals (``alerts._enqueue``, ``escalation.ESCALATION_BATCH``) are patched and
read on their own module.
"""

from .alerts import alert_acknowledge, alerts_create, case_alerts_create, resend_unsent_alerts
from .escalation import (
    escalate_due,
    escalation_first_due_at,
    escalation_minutes,
    escalation_retimed_at,
)
from .radiotherapy import (
    radiotherapy_referral_from_decision,
    radiotherapy_referral_raise,
)
from .raising import MANUAL_TRIGGERS, WORKUP_CODES, referral_flag, referral_raise
from .teams import TeamHasOpenReferral, guard_team_change, is_member, referral_party
from .transitions import (
    ACTION_SERVICES,
    NOTIFY,
    referral_accept,
    referral_acknowledge,
    referral_answer,
    referral_cancel,
    referral_close,
    referral_decline,
    referral_list_for_mdt,
    referral_request_info,
    referrals_close_for_decision,
    referrals_list_for_meeting,
)
from .workup import workup_exclude, workup_item_tick, workup_result_record, workup_verdict

__all__ = [
    "ACTION_SERVICES",
    "MANUAL_TRIGGERS",
    "NOTIFY",
    "WORKUP_CODES",
    "TeamHasOpenReferral",
    "alert_acknowledge",
    "alerts_create",
    "case_alerts_create",
    "escalate_due",
    "escalation_first_due_at",
    "escalation_minutes",
    "escalation_retimed_at",
    "guard_team_change",
    "is_member",
    "radiotherapy_referral_from_decision",
    "radiotherapy_referral_raise",
    "referral_accept",
    "referral_acknowledge",
    "referral_answer",
    "referral_cancel",
    "referral_close",
    "referral_decline",
    "referral_flag",
    "referral_list_for_mdt",
    "referral_party",
    "referral_raise",
    "referral_request_info",
    "referrals_close_for_decision",
    "referrals_list_for_meeting",
    "resend_unsent_alerts",
    "workup_exclude",
    "workup_item_tick",
    "workup_result_record",
    "workup_verdict",
]
