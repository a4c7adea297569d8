"""Rows shown with a case (REST case list and status, FHIR) move the case's ``updated_at``
whatever wrote them: a service, the admin, or plain ORM in a shell or a data migration
(``cases.polling.touch_cases``). Each app connects its own rows from ``ready``; writes that
bypass model signals (``QuerySet.update``, ``bulk_create``, ``bulk_update``) call
``touch_cases`` themselves in the service that makes them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .polling import touch_cases

CaseIdsOf = Callable[[Any], Iterable[int | None]]


def touch_on_change(model: type[Model], case_ids_of: CaseIdsOf, *, uid: str) -> None:
    """Every save and delete of a ``model`` row touches the cases ``case_ids_of(row)`` names."""

    def changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:  # loaddata: fixtures carry their own timestamps
            touch_cases(case_ids_of(instance))

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"polling-{uid}-saved")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"polling-{uid}-deleted")


def _case_id(row: Any) -> list[int | None]:
    return [row.case_id]


def connect_receivers() -> None:
    from .models import Assessment, Case, FollowUpVisit, LesionImaging, Patient, SpinalLesion

    touch_on_change(Patient, lambda patient: Case.objects.filter(patient_id=patient.pk)
                    .values_list("pk", flat=True), uid="patient")
    touch_on_change(Assessment, _case_id, uid="assessment")
    touch_on_change(SpinalLesion, _case_id, uid="lesion")
    touch_on_change(LesionImaging, lambda imaging: SpinalLesion.objects.filter(
        pk=imaging.lesion_id).values_list("case_id", flat=True), uid="imaging")
    touch_on_change(FollowUpVisit, _case_id, uid="followup")
