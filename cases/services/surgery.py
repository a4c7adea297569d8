"""The operation recorded at surgery (issue 19): approach, levels, instrumentation,
complications. The neurosurgeon of the care team records it while the case is in surgery or
post-operative care; it ticks the surgery duties it fulfils (timeline.FACT_DUTIES)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tumorboard.models import User
from tumorboard.roles import Role

from .. import audit
from ..models import AuditAction, Case, SurgeryRecord
from ..timeline import Phase
from .checklist import duties_fulfilled
from .common import lock_case, require_change, touch

#: The phases in which the operation is recorded.
SURGERY_PHASES = (Phase.SURGERY, Phase.POST_OPERATIVE)


@transaction.atomic
def surgery_record(*, case: Case, actor: User, **fields: Any) -> SurgeryRecord:
    require_change(actor, case)
    if actor.role != Role.NEUROSURGEON:
        raise ValidationError({"procedure": "the neurosurgeon records the operation"})
    case = lock_case(case)
    if case.phase not in SURGERY_PHASES:
        raise ValidationError({"performed_on": "record the operation once the case is in "
                                               "surgery or post-operative care"})
    record = SurgeryRecord(case=case, recorded_by=actor, **fields)
    record.full_clean()
    record.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record, case=case,
                 detail={"procedure": record.procedure, "levels": record.levels})
    duties_fulfilled(case=case, fact="surgery_recorded", actor=actor)
    touch(case, actor)
    return record
