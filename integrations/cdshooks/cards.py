"""Cards of the CDS service (CDS Hooks 2.0 "Card"): one per referral direction with fired
triggers, each trigger with its evidence (CLINICAL.md §8), the urgency and due time (§9), a link
that opens the referral here, and a suggestion that creates the referral as a FHIR
ServiceRequest (the mapping of ``integrations.fhir.resources``). No trigger, no card.

Cards travel to the EHR that sent the patient; they carry the core's evidence (levels and
values, never an identifier) and ids in links, never a name or an MRN.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Final
from urllib.parse import urlencode

from django.conf import settings

from integrations.fhir import resources
from referrals.models import DIRECTION_CHOICES, Referral, ReferralStatus
from scoring.calculators import ReferralDirection, Trigger, Urgency, UrgencyResult, urgency_due_at
from tumorboard.labels import label

#: The CDS Hooks indicator of each urgency (CLINICAL.md §9: red is an emergency).
INDICATOR: Final = {Urgency.RED: "critical", Urgency.ORANGE: "warning", Urgency.GREEN: "info"}
RECEIVER: Final = {ReferralDirection.BREAST_TO_NEURO: "neurosurgery (spine team)",
                   ReferralDirection.NEURO_TO_BREAST: "breast oncology (breast team)"}
SOURCE_LABEL: Final = "Tumor board: breast-cancer spinal metastases"


@dataclass(frozen=True)
class CardInput:
    """Everything a card shows, for one direction."""

    direction: ReferralDirection
    fired: Sequence[Trigger]
    urgency: UrgencyResult
    case_id: int | None  # the case here, when the patient is known and visible to the caller
    open_referral: Referral | None
    patient_ref: str  # the EHR's "Patient/<id>"
    requester_ref: str  # the EHR's context.userId


def _base() -> str:
    return str(settings.SERVICE_BASE_URL)


def _link(item: CardInput) -> dict[str, str]:
    if item.open_referral is not None:
        return {"label": f"Open referral {item.open_referral.pk} in the tumor board",
                "url": f"{_base()}/referrals/{item.open_referral.pk}/", "type": "absolute"}
    if item.case_id is not None:
        query = urlencode([("trigger", t.code.value) for t in item.fired])
        return {"label": "Open the pre-filled referral in the tumor board",
                "url": f"{_base()}/referrals/flag/{item.case_id}/?{query}", "type": "absolute"}
    # Not registered here yet: ids only in a URL, so the EHR user registers the patient first.
    return {"label": "Register the patient in the tumor board to refer",
            "url": f"{_base()}/cases/patients/new/", "type": "absolute"}


def service_request(item: CardInput, *, now: datetime) -> dict[str, Any]:
    """The referral as a FHIR ServiceRequest, by the FHIR export's own mapping
    (``resources.service_request``) applied to the referral the card proposes (unsaved), then
    addressed to the EHR's patient and user (the EHR creates it in its own record)."""
    level = item.urgency.level
    # The mapping reads a Referral's attributes: the proposed referral, not saved.
    proposed = SimpleNamespace(
        pk=0, status=ReferralStatus.RAISED, urgency=level.value if level else "",
        urgency_rationale=" ".join(item.urgency.rationale),
        due_at=urgency_due_at(level, now) if level else None, sent_at=None, created_at=now,
        updated_at=now, sender=SimpleNamespace(pk=0),
        receiving_team=SimpleNamespace(pk=item.direction.value, name=RECEIVER[item.direction]),
        get_direction_display=lambda: dict(DIRECTION_CHOICES)[item.direction.value])
    resource = resources.service_request(
        proposed, case=SimpleNamespace(patient_id=0, latest_assessment_id=None))  # type: ignore[arg-type]
    resource.pop("id", None)
    resource.pop("meta", None)
    resource["status"] = "draft"
    resource["subject"] = {"reference": item.patient_ref}
    resource["requester"] = {"reference": item.requester_ref}
    resource["reasonCode"] = [{"coding": [{"system": _trigger_system(), "code": t.code.value,
                                           "display": label(t.code.value)}],
                               "text": t.evidence} for t in item.fired]
    return resource


def _trigger_system() -> str:
    from integrations.fhir import codes

    return codes.system("CodeSystem/referral-trigger")


def card(item: CardInput, *, now: datetime) -> dict[str, Any]:
    level = item.urgency.level
    assert level is not None  # a fired trigger always has an urgency (§9)
    hours = item.urgency.due_within_hours
    due = urgency_due_at(level, now)
    receiver = RECEIVER[item.direction]
    count = len(item.fired)
    summary = (f"Refer to {receiver}: {count} referral trigger{'s' if count > 1 else ''}, "
               f"{level.value} (due within {hours} h)")
    lines = [f"**Referral triggers** (CLINICAL.md §8) for {receiver}:", ""]
    lines += [f"- **{label(t.code.value)}**: {t.evidence}" for t in item.fired]
    lines += ["", f"**Urgency**: {level.value}, due by {due.isoformat() if due else '-'} "
                  f"({' '.join(item.urgency.rationale)})"]
    if item.open_referral is not None:
        lines += ["", f"Referral {item.open_referral.pk} is already open here "
                      f"({item.open_referral.get_status_display().lower()})."]
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary[:140],
        "detail": "\n".join(lines),
        "indicator": INDICATOR[level],
        "source": {"label": SOURCE_LABEL, "url": _base(),
                   "topic": {"system": _trigger_system(), "code": item.direction.value,
                             "display": f"Referral to {receiver}"}},
        "links": [_link(item)],
    }
    if item.open_referral is None:
        result["suggestions"] = [{
            "label": f"Create the referral to {receiver}",
            "uuid": str(uuid.uuid4()),
            "isRecommended": True,
            "actions": [{"type": "create",
                         "description": f"Refer to {receiver} ({level.value})",
                         "resource": service_request(item, now=now)}],
        }]
        result["selectionBehavior"] = "at-most-one"
    return result
