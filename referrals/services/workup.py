"""The occult-primary work-up of a neuro-to-breast referral (CLINICAL.md §8): either team ticks
each item once, with who and when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.models import AuditAction
from tumorboard.models import User
from tumorboard.services import locked

from ..models import OccultWorkupItem, Referral
from .events import event_write
from .teams import referral_party


@transaction.atomic
def workup_item_tick(*, referral: Referral, code: str, actor: User) -> OccultWorkupItem:
    """Tick one work-up item (who, when). Either team of the referral; once."""
    referral = locked(Referral.objects.select_related("case", "receiving_team"), referral.pk)
    if not referral_party(referral=referral, user=actor):
        raise PermissionDenied("only the referring or receiving team ticks the work-up")
    item = OccultWorkupItem.objects.select_for_update().filter(referral=referral,
                                                              code=code).first()
    if item is None:
        raise ValidationError({"item_code": "not an item of this referral's work-up"})
    if item.done_at is not None:
        raise ValidationError({"item_code": "already done"})
    item.done_at, item.done_by = timezone.now(), actor
    item.save(update_fields=["done_at", "done_by"])
    referral.save(update_fields=["updated_at"])
    event_write(referral, "workup_tick", actor, from_status=referral.status, item=code)
    audit.record(actor=actor, action=AuditAction.TICK, obj=item, case=referral.case,
                 detail={"referral": referral.pk, "item": code})
    return item
