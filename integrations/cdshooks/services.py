"""Discovery and one hook call (CDS Hooks 2.0), the rules the views call.

A hook call: the request is checked against the specification's shapes (``schemas``); the
patient is looked up here by the MRN of the prefetched (or fetched) Patient; when the caller's
integration principal may see one of that patient's cases (``cases.access``: its grants), the
service's own data decides (``referrals.triggers.case_findings``), otherwise the prefetch does
(``prefetch.read_prefetch``); the urgency is the core's (§9). Every call is one audit row.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import jsonschema
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cases import audit
from cases.access import case_list_visible_to
from cases.models import AuditAction, AuditOutcome, Case
from integrations.fhir import codes
from referrals.models import OPEN_STATUSES, Referral
from referrals.triggers import case_findings
from scoring.calculators import ReferralDirection, Trigger, urgency
from tumorboard.models import User

from . import schemas
from .cards import CardInput, card
from .prefetch import PrefetchError, prefetch_templates, read_prefetch

logger = logging.getLogger(__name__)

PATIENT_VIEW: Final = "spine-referral-triggers"
ORDER_SELECT: Final = "spine-imaging-order"
SERVICES: Final[dict[str, dict[str, str]]] = {
    PATIENT_VIEW: {
        "hook": "patient-view",
        "title": "Spinal metastasis referral triggers",
        "description": "Breast-cancer spinal metastases: the referral triggers that fire for "
                       "this patient (SINS, epidural extension, neurological deficit, occult "
                       "primary...), their urgency and due time, and the referral to raise.",
    },
    ORDER_SELECT: {
        "hook": "order-select",
        "title": "Spinal metastasis referral triggers on a spine imaging order",
        "description": "When a spine imaging order is selected for a patient whose spinal "
                       "metastasis already fires a referral trigger, the referral to raise now.",
    },
}
#: *Spine imaging order, service policy v1* (judgment call): an order is spine imaging when its
#: code or body site names the spine and its code or category names imaging. Words, not codes:
#: EHRs order imaging under local codes.
SPINE_WORDS: Final = ("spine", "spinal", "vertebra", "cervical", "thoracic", "lumbar",
                      "sacral", "sacrum", "whole spine")
IMAGING_WORDS: Final = ("mri", "mr ", "magnetic resonance", "ct ", "computed tomography",
                        "imaging", "x-ray", "radiograph", "scan", "pet", "myelogra")
IMAGING_CATEGORY: Final = ("http://snomed.info/sct", "363679005")  # SNOMED CT "Imaging"
FETCH_TIMEOUT_SECONDS: Final = 5


class CdsRequestError(Exception):
    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class HookResult:
    body: dict[str, Any]
    case: Case | None
    source: str
    triggers: tuple[str, ...] = ()


def discovery() -> dict[str, Any]:
    templates = prefetch_templates()
    return {"services": [{**meta, "id": service_id, "prefetch": templates,
                          "usageRequirements": "Sign every request with a JWT from a JWKS "
                                               "registered with this service (README)."}
                         for service_id, meta in SERVICES.items()]}


def _first_error(schema: Mapping[str, Any], data: Any, prefix: str) -> str | None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    path = ".".join([prefix, *(str(p) for p in error.absolute_path)]).strip(".") or "body"
    return f"{path}: {error.message}"


def _text(concept: Any) -> str:
    if not isinstance(concept, Mapping):
        return ""
    parts = [str(concept.get("text", ""))]
    parts += [f"{c.get('display', '')} {c.get('code', '')}" for c in concept.get("coding") or []
              if isinstance(c, Mapping)]
    return " ".join(parts).lower() + " "


def is_spine_imaging(order: Mapping[str, Any]) -> bool:
    """Policy v1 above, on one ServiceRequest."""
    code = _text(order.get("code"))
    sites = " ".join(_text(site) for site in order.get("bodySite") or [])
    categories = order.get("category") or []
    imaging = any(word in code for word in IMAGING_WORDS) or any(
        (c.get("system"), c.get("code")) == IMAGING_CATEGORY
        for category in categories if isinstance(category, Mapping)
        for c in category.get("coding") or [] if isinstance(c, Mapping))
    return imaging and any(word in code + sites for word in SPINE_WORDS)


def _selected_orders(context: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    wanted = set(context["selections"])
    found = []
    for entry in context["draftOrders"]["entry"]:
        resource = entry["resource"]
        if f"{resource.get('resourceType')}/{resource.get('id')}" in wanted:
            found.append(resource)
    return found


def _fetch_patient(request: Mapping[str, Any], patient_id: str) -> Any:
    """No prefetched Patient: read it from the EHR's FHIR server with the access token the EHR
    gave (CDS Hooks "FHIR Resource Access"), only to find its MRN."""
    server, authorization = request.get("fhirServer"), request.get("fhirAuthorization")
    if not server or not authorization:
        return None
    fetch = urllib.request.Request(  # noqa: S310 (https/http checked by the request schema)
        f"{str(server).rstrip('/')}/Patient/{patient_id}",
        headers={"Accept": "application/fhir+json",
                 "Authorization": f"Bearer {authorization['access_token']}"})
    try:
        with urllib.request.urlopen(fetch, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return json.loads(answer.read(2_000_000))
    except (OSError, ValueError) as error:
        logger.warning("cds hook: the EHR's FHIR server did not give the Patient (%s)",
                       type(error).__name__)
        return None


def _institution_codes(system: str) -> list[str]:
    mapped = settings.CDS_HOOKS_MRN_SYSTEMS.get(system)
    if mapped:
        return [mapped]
    own = codes.mrn_system("")
    return [system[len(own):]] if system.startswith(own) and len(system) > len(own) else []


def known_case(*, user: User, patient: Any) -> Case | None:
    """The newest case, visible to ``user``, of the patient the prefetched Patient's MRN names."""
    from .prefetch import patient_identifiers

    condition = Q()
    for system, value in patient_identifiers(patient):
        for code in _institution_codes(system):
            condition |= Q(patient__institution__code=code, patient__mrn__iexact=value)
    if not condition:
        return None
    return (case_list_visible_to(user=user).filter(condition)
            .select_related("patient").order_by("-pk").first())


def _cards(*, fired: tuple[Trigger, ...], case: Case | None, max_bilsky: Any, max_sins: Any,
           subtype: Any, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    now = timezone.now()
    open_referrals: dict[str, Referral] = {}
    if case is not None:
        open_referrals = {row.direction: row for row in
                          Referral.objects.filter(case=case, status__in=OPEN_STATUSES)}
    found = []
    for direction in ReferralDirection:
        these = tuple(t for t in fired if t.direction == direction)
        if not these:
            continue
        result = urgency(trigger_codes=[t.code for t in these], max_bilsky=max_bilsky,
                         max_sins=max_sins, subtype=subtype)
        found.append(card(CardInput(
            direction=direction, fired=these, urgency=result,
            case_id=case.pk if case is not None else None,
            open_referral=open_referrals.get(direction.value),
            patient_ref=f"Patient/{context['patientId']}", requester_ref=context["userId"]),
            now=now))
    return found


def hook_call(*, service_id: str, body: bytes, user: User) -> HookResult:
    """The cards of one hook request; ``CdsRequestError`` (400, 404, 412) with the reason."""
    meta = SERVICES.get(service_id)
    if meta is None:
        raise CdsRequestError(f"no CDS service {service_id!r} here", status=404)
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CdsRequestError("body: not JSON") from None
    if reason := _first_error(schemas.REQUEST, request, ""):
        raise CdsRequestError(reason)
    if request["hook"] != meta["hook"]:
        raise CdsRequestError(f"hook: the service {service_id} answers {meta['hook']}, "
                              f"not {request['hook']}")
    context = request["context"]
    if reason := _first_error(schemas.CONTEXT[meta["hook"]], context, "context"):
        raise CdsRequestError(reason)
    if meta["hook"] == "order-select" and not any(
            is_spine_imaging(order) for order in _selected_orders(context)):
        return HookResult(body={"cards": []}, case=None, source="not-spine-imaging")
    prefetch = request.get("prefetch") or {}
    patient = prefetch.get("patient") or _fetch_patient(request, context["patientId"])
    case = known_case(user=user, patient=patient)
    if case is not None:
        findings = case_findings(case)
        fired, max_bilsky, max_sins, subtype = (findings.triggers, findings.max_bilsky,
                                                findings.max_sins, findings.subtype)
        source = "service"
    else:
        if prefetch.get("conditions") is None and prefetch.get("observations") is None:
            raise CdsRequestError("prefetch: conditions and observations are required for a "
                                  "patient not known here (see the discovery's prefetch)",
                                  status=412)
        try:
            read = read_prefetch(prefetch)
        except PrefetchError as error:
            raise CdsRequestError(str(error)) from None
        fired, max_bilsky, max_sins, subtype = (read.triggers, read.max_bilsky, read.max_sins,
                                                read.subtype)
        source = "prefetch"
    cards = _cards(fired=fired, case=case, max_bilsky=max_bilsky, max_sins=max_sins,
                   subtype=subtype, context=context)
    return HookResult(body={"cards": cards}, case=case, source=source,
                      triggers=tuple(t.code.value for t in fired))


def hook_audit(*, user: User | None, service_id: str, status: int, result: HookResult | None,
               reason: str = "", hook_instance: str = "") -> None:
    """One audit row per hook request, whatever its answer (ids and codes only)."""
    detail: dict[str, Any] = {"service": service_id[:60], "status": status}
    if hook_instance:
        detail["hook_instance"] = hook_instance[:80]
    if result is not None:
        detail["cards"] = len(result.body["cards"])
        detail["source"] = result.source
        detail["triggers"] = list(result.triggers)
    if reason:
        detail["reason"] = reason[:200]
    audit.record(actor=user, action=AuditAction.VIEW, object_type="cds_hook",
                 case=result.case if result is not None else None,
                 outcome=AuditOutcome.DENIED if status == 401 else AuditOutcome.OK,
                 detail=detail)
