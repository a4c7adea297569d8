"""The access matrix's expected answers, reviewed.

One row per URL name; one cell per role, in ROLES order; a cell is "own/other": the HTTP status
on the role's own team's object, then on another team's (one status when the URL names no
object); "a|b" allows either (/health/ depends on whether a worker runs). Another team's object
is always 302 (to the login or the role's home), 401, 403, 404 or 405, never its data.

The roles: anonymous; breast (breast oncosurgeon of the case's breast team), neuro (neurosurgeon
of its spine team), coordinator (of its MDT team), radonc (radiation oncologist added to the
case), medonc (medical oncologist in the MDT team, not added to the case, attending its meeting),
integration (an integration client granted the breast team), admin (administrator, superuser).
Regenerate with R2_ACCESS_DUMP=1 after a deliberate change, and review the diff.
"""

ROLES = ("anonymous", "breast", "neuro", "coordinator", "radonc", "medonc", "integration",
         "admin")

#: Admin pages checked besides the URL resolver's patterns: name -> {URL argument: the world's
#: object it takes}.
ADMIN_ROUTES: dict[str, dict[str, str]] = {
    "admin:index": {},
    "admin:cases_patient_changelist": {},
    "admin:cases_patient_change": {"object_id": "patient_id"},
    "admin:cases_case_change": {"object_id": "case_id"},
    "admin:cases_auditevent_changelist": {},
}

EXPECTED: dict[str, str] = {
    "admin:cases_auditevent_changelist":
        "302     302     302     302     302     302     302     200",
    "admin:cases_case_change": "302/302 302/302 302/302 302/302 302/302 302/302 302/302 200/200",
    "admin:cases_patient_change":
        "302/302 302/302 302/302 302/302 302/302 302/302 302/302 200/200",
    "admin:cases_patient_changelist":
        "302     302     302     302     302     302     302     200",
    "admin:index": "302     302     302     302     302     302     302     200",
    "api-alert-ack": "401/401 404/404 200/404 404/404 404/404 404/404 403/403 404/404",
    "api-alerts": "401     200     200     200     200     200     200     200",
    "api-auth-token": "400     400     400     400     400     400     400     400",
    "api-auth-token-revoke": "401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "api-auth-tokens": "401     200     200     200     200     200     200     200",
    "api-case": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-case-assessments": "401/401 201/404 201/404 403/404 201/404 404/404 403/403 404/404",
    "api-case-fhir": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-case-lesions": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-case-timeline": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-case-transitions": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-cases": "401     200     200     200     200     200     200     200",
    "api-docs": "200     200     200     200     200     200     200     200",
    "api-fhir-careplan": "401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "api-fhir-observation": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-fhir-patient": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-fhir-servicerequest": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-fhir-task": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-meeting": "401/401 200/404 200/404 200/404 200/404 200/404 404/404 404/404",
    "api-meeting-agenda": "401/401 200/404 200/404 200/404 200/404 200/404 404/404 404/404",
    "api-meeting-agenda-populate":
        "401/401 403/404 409/404 409/404 403/404 403/404 403/403 404/404",
    "api-meeting-attendance": "401/401 400/404 400/404 400/404 400/404 400/404 403/403 404/404",
    "api-meeting-finalize": "401/401 403/404 400/404 400/404 403/404 403/404 403/403 404/404",
    "api-meeting-ics": "401/401 200/404 200/404 200/404 200/404 200/404 404/404 404/404",
    "api-meeting-item-decision": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-meeting-item-follow-up":
        "401/401 409/404 409/404 409/404 409/404 404/404 403/403 404/404",
    "api-meeting-item-move": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-meeting-lock": "401/401 403/404 409/404 409/404 403/404 403/404 403/403 404/404",
    "api-meeting-packet": "401/401 200/404 200/404 200/404 200/404 200/404 404/404 404/404",
    "api-meeting-packet-pdf": "401/401 409/404 409/404 409/404 409/404 409/404 404/404 404/404",
    "api-meeting-reopen": "401/401 400/404 400/404 400/404 400/404 400/404 403/403 404/404",
    "api-meeting-start": "401/401 403/404 200/404 409/404 403/404 403/404 403/403 404/404",
    "api-meetings": "401     200     200     200     200     200     200     200",
    "api-metrics": "401     200     200     200     200     200     200     200",
    "api-ping": "401     200     200     200     200     200     200     200",
    "api-referral": "401/401 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "api-referral-accept": "401/401 403/404 409/404 403/404 403/404 404/404 403/403 404/404",
    "api-referral-acknowledge": "401/401 403/404 409/404 403/404 403/404 404/404 403/403 404/404",
    "api-referral-answer": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-referral-cancel": "401/401 409/404 403/404 403/404 403/404 404/404 403/403 404/404",
    "api-referral-close": "401/401 403/404 200/404 403/404 403/404 404/404 403/403 404/404",
    "api-referral-decline": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-referral-list_for_mdt": "401/401 403/404 409/404 403/404 403/404 404/404 403/403 404/404",
    "api-referral-request_info": "401/401 400/404 400/404 400/404 400/404 404/404 403/403 404/404",
    "api-referral-workup-tick": "401/401 400/404 400/404 403/404 403/404 404/404 403/403 404/404",
    "api-referrals": "401     200     200     200     200     200     200     200",
    "api-schema": "200     200     200     200     200     200     200     200",
    "api-scores-evaluate": "401     400     400     400     400     400     400     400",
    "api-webhook": "401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "api-webhook-deliveries": "401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    "api-webhooks": "401     200     200     200     200     200     200     200",
    "cases:assessment-create": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "cases:case-as-of": "302/302 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "cases:case-create": "302/302 200/404 200/404 302/302 302/302 302/302 302/302 302/302",
    "cases:case-detail": "302/302 200/404 200/404 200/404 200/404 404/404 200/404 404/404",
    "cases:case-edit": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "cases:case-list": "302     200     200     200     200     200     302     302",
    "cases:duty-tick": "302/302 302/404 302/404 403/404 302/404 404/404 403/404 404/404",
    "cases:duty-untick": "302/302 404/404 404/404 403/404 404/404 404/404 403/404 404/404",
    "cases:followup-create": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "cases:imaging-create": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "cases:lesion-create": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "cases:patient-create": "302     200     200     302     302     302     302     302",
    "cases:transition-create": "302/302 200/404 200/404 403/404 200/404 404/404 403/404 404/404",
    "health": "200|503 200|503 200|503 200|503 200|503 200|503 200|503 200|503",
    "home": "302     302     302     302     302     302     302     302",
    "home-admin": "302     302     302     302     302     302     302     200",
    "home-breast": "302     200     302     302     302     302     302     302",
    "home-coordinator": "302     302     302     200     302     302     302     302",
    "home-neuro": "302     302     200     302     302     302     302     302",
    "home-oncology": "302     302     302     302     200     200     302     302",
    "login": "200     302     302     302     302     302     302     302",
    "logout": "405     405     405     405     405     405     405     405",
    "meetings:attendance": "302/302 302/404 302/404 302/404 302/404 302/404 302/302 302/302",
    "meetings:ics": "302/302 200/404 200/404 200/404 200/404 200/404 302/302 302/302",
    "meetings:item-add": "302/302 302/404 302/404 302/404 302/404 302/404 302/302 302/302",
    "meetings:item-decide": "302/302 302/404 302/404 302/404 302/404 404/404 302/302 302/302",
    "meetings:item-follow-up": "302/302 302/404 302/404 302/404 302/404 404/404 302/302 302/302",
    "meetings:item-move": "302/302 302/404 302/404 302/404 302/404 404/404 302/302 302/302",
    "meetings:meeting-detail": "302/302 200/404 200/404 200/404 200/404 200/404 302/302 302/302",
    "meetings:meeting-list": "302     200     200     200     200     200     302     302",
    "meetings:meeting-session": "302/302 200/404 200/404 200/404 200/404 200/404 302/302 302/302",
    "meetings:metrics": "302     200     200     200     200     200     302     302",
    "meetings:move": "302/302 302/404 302/404 302/404 302/404 302/404 302/302 302/302",
    "meetings:packet-download": "302/302 404/404 404/404 404/404 404/404 404/404 302/302 302/302",
    "meetings:packet-request": "302/302 302/404 302/404 302/404 302/404 302/404 302/302 302/302",
    "meetings:populate": "302/302 302/404 302/404 302/404 302/404 302/404 302/302 302/302",
    "referrals:alert-ack": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404",
    "referrals:alert-list": "302     200     200     200     200     200     200     200",
    "referrals:flag-trigger": "302/302 200/404 302/302 302/302 302/302 302/302 302/302 302/302",
    "referrals:metrics": "302     200     200     200     200     200     302     302",
    "referrals:referral-act": "302/302 403/404 302/404 403/404 403/404 404/404 302/302 302/302",
    "referrals:referral-detail": "302/302 200/404 200/404 200/404 200/404 404/404 302/302 302/302",
    "referrals:referral-list": "302     200     200     200     200     200     302     302",
    "referrals:workup-tick": "302/302 302/404 302/404 403/404 403/404 404/404 302/302 302/302",
    "score-calculator": "302     200     200     200     200     200     200     200",
    "send-probe": "302     302     302     302     302     302     302     302",
    "session-keepalive": "302     200     200     200     200     200     200     200",
}
