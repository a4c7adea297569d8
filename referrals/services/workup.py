"""The occult-primary work-up of a neuro-to-breast referral (CLINICAL.md §8, §17): either team
ticks each item once, with who and when, and records its results (markers with the laboratory's
reference limit, BI-RADS per side, PET-CT or scintigraphy findings, biopsy histology with
receptors). A confirming result (``referrals.workup_rules``) makes the case's primary a known
breast cancer with the receptors, re-assesses it and moves the referral on; a work-up that excludes
the breast closes the referral with the reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.models import AuditAction, Case
from cases.services import case_update
from scoring.calculators import ReferralDirection
from tumorboard.models import User
from tumorboard.services import locked, required_text

from .. import workup_rules
from ..models import OPEN_STATUSES, OccultWorkupItem, OccultWorkupResult, Referral
from ..states import Action
from .events import event_write
from .teams import referral_party
from .transitions import _transition

_REFERRALS = Referral.objects.select_related("case", "receiving_team")
#: A confirmed primary moves a referral still waiting for its triage decision on to accepted.
_CONFIRM_FROM = ("sent", "acknowledged", "info_requested")


def _check_party(referral: Referral, actor: User, what: str) -> None:
    if not referral_party(referral=referral, user=actor):
        raise PermissionDenied(f"only the referring or receiving team {what}")


def _tick(referral: Referral, code: str, actor: User) -> OccultWorkupItem | None:
    item = OccultWorkupItem.objects.select_for_update().filter(referral=referral,
                                                              code=code).first()
    if item is None or item.done_at is not None:
        return None
    item.done_at, item.done_by = timezone.now(), actor
    item.save(update_fields=["done_at", "done_by"])
    event_write(referral, "workup_tick", actor, from_status=referral.status, item=code)
    audit.record(actor=actor, action=AuditAction.TICK, obj=item, case=referral.case,
                 detail={"referral": referral.pk, "item": code})
    return item


@transaction.atomic
def workup_item_tick(*, referral: Referral, code: str, actor: User) -> OccultWorkupItem:
    """Tick one work-up item (who, when). Either team of the referral; once."""
    referral = locked(_REFERRALS, referral.pk)
    _check_party(referral, actor, "ticks the work-up")
    item = OccultWorkupItem.objects.filter(referral=referral, code=code).first()
    if item is None:
        raise ValidationError({"item_code": "not an item of this referral's work-up"})
    if item.done_at is not None:
        raise ValidationError({"item_code": "already done"})
    ticked = _tick(referral, code, actor)
    assert ticked is not None
    referral.save(update_fields=["updated_at"])
    return ticked


def _check_result_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ``kind`` result, cleaned: required present, foreign ones refused."""
    if kind not in workup_rules.REQUIRED_FIELDS:
        raise ValidationError({"kind": "choose the kind of result"})
    foreign = sorted(name for name, value in fields.items()
                     if name not in workup_rules.KIND_FIELDS[kind] and value not in (None, ""))
    if foreign:
        raise ValidationError(dict.fromkeys(foreign, f"does not belong to a {kind} result"))
    errors = {name: "required for this kind of result"
              for name in workup_rules.REQUIRED_FIELDS[kind] if fields.get(name) in (None, "")}
    if errors:
        raise ValidationError(errors)
    modalities = workup_rules.KIND_MODALITIES.get(kind)
    if modalities is not None and fields["modality"] not in modalities:
        raise ValidationError({"modality": "choose one of " + ", ".join(sorted(modalities))})
    if kind == "breast_imaging" and fields.get("birads_left") is None \
            and fields.get("birads_right") is None:
        raise ValidationError({"birads_left": "give the BI-RADS category of at least one side"})
    if kind == "marker":
        expected = workup_rules.MARKER_UNITS.get(fields["marker"], "")
        unit = (fields.get("unit") or "").strip() or expected
        if unit != expected:
            raise ValidationError({"unit": f"record {fields['marker']} in {expected}"})
        fields["unit"] = unit
    return fields


@transaction.atomic
def workup_result_record(*, referral: Referral, actor: User, kind: str, taken_on: date,
                         note: str = "", **fields: Any) -> OccultWorkupResult:
    """Record one result of the work-up (§17). Either team of an open neuro-to-breast referral.
    It ticks the work-up item it fulfils; a confirming result confirms the breast primary."""
    referral = locked(_REFERRALS, referral.pk)
    _check_party(referral, actor, "records work-up results")
    if referral.direction != ReferralDirection.NEURO_TO_BREAST:
        raise ValidationError({"kind": "only an occult-primary referral has a work-up"})
    if referral.status not in OPEN_STATUSES:
        raise ValidationError({"kind": "the referral is closed: its work-up is over"})
    if taken_on is None:
        raise ValidationError({"taken_on": "give the date of the test"})
    if taken_on > timezone.localdate():
        raise ValidationError({"taken_on": "cannot be in the future"})
    fields = _check_result_fields(kind, dict(fields))
    result = OccultWorkupResult(referral=referral, kind=kind, taken_on=taken_on,
                                note=(note or "").strip(), recorded_at=timezone.now(),
                                recorded_by=actor, **fields)
    result.full_clean()
    result.save()
    event_write(referral, "workup_result", actor, from_status=referral.status, kind=kind,
                result=result.pk)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=result, case=referral.case,
                 detail={"referral": referral.pk, "kind": kind})
    _tick(referral, workup_rules.KIND_ITEM[kind], actor)
    rule = workup_rules.confirming_rule(result)
    if rule is not None:
        _confirm_primary(referral, result, rule, actor)
    else:
        referral.save(update_fields=["updated_at"])
    return result


def _confirm_primary(referral: Referral, result: OccultWorkupResult, rule: str,
                     actor: User) -> None:
    """§17: the case's primary becomes a known breast cancer with the receptors the histology
    gave (subtype by §12 in ``case_update``, which re-assesses the case), and the referral
    moves on to accepted when it still waits for the triage decision."""
    changes: dict[str, Any] = {}
    case = referral.case
    if case.primary_status != Case.PrimaryStatus.KNOWN_BREAST:
        changes["primary_status"] = Case.PrimaryStatus.KNOWN_BREAST
    if result.kind == "biopsy":
        changes.update({name: getattr(result, name) for name in ("er", "pr", "her2", "ki67")
                        if getattr(result, name) is not None})
    if changes:
        case_update(case=case, actor=actor, expected_version=None, **changes)
    text = workup_rules.confirmation([result]).text
    referral.refresh_from_db()
    if referral.status in _CONFIRM_FROM:
        _transition(referral=referral, action=Action.CONFIRM_PRIMARY, actor=actor, note=text,
                    for_mdt=True)
    else:
        event_write(referral, Action.CONFIRM_PRIMARY, actor, from_status=referral.status,
                    to_status=referral.status, note=text)
        referral.save(update_fields=["updated_at"])


@transaction.atomic
def workup_exclude(*, referral: Referral, actor: User, reason: str) -> Referral:
    """The work-up excludes the breast (§17): the referral closes, saying why."""
    referral = locked(_REFERRALS, referral.pk)
    _check_party(referral, actor, "closes the work-up")
    if referral.direction != ReferralDirection.NEURO_TO_BREAST:
        raise ValidationError({"reason": "only an occult-primary referral has a work-up"})
    reason = required_text(reason, "reason", "say why the work-up excludes the breast")
    return _transition(referral=referral, action=Action.EXCLUDE_PRIMARY, actor=actor,
                       note=reason, for_mdt=True)


def workup_verdict(referral: Referral) -> workup_rules.Verdict:
    """What the recorded results say (§17), for the page and the API."""
    return workup_rules.confirmation(referral.workup_results.all())
