"""Migration cases 0007 makes the MRN unique per institution whatever the case of its letters;
patients that already collide stop it, named by id (never by MRN), and nothing is merged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cases", "0006_imaging_modality")]
AFTER = [("cases", "0007_patient_mrn_unique_ignoring_case")]


def _latest() -> list[tuple[str, str]]:
    """Every app at its newest migration: what the rest of the suite runs on."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _patient(apps: Any, institution: Any, mrn: str) -> Any:
    return apps.get_model("cases", "Patient").objects.create(
        institution_id=institution.pk, mrn=mrn, given_name="Ann", family_name="Example",
        birth_date=dt.date(1960, 1, 1), sex="female")


@pytest.mark.django_db(transaction=True)
def test_duplicates_by_case_stop_the_migration_and_are_named_by_id() -> None:
    try:
        old = _migrate(BEFORE)
        institution = old.get_model("tumorboard", "Institution").objects.create(
            code="mig-test", name="Migration test")
        first = _patient(old, institution, "demo-1001")
        second = _patient(old, institution, "DEMO-1001")
        _patient(old, institution, "DEMO-1002")
        with pytest.raises(RuntimeError) as caught:
            _migrate(AFTER)
        message = str(caught.value)
        assert f"patients [{first.pk}, {second.pk}]" in message
        assert "demo-1001" not in message.lower()
        # Nothing merged: both records are still there; once one is corrected, it migrates.
        patients = old.get_model("cases", "Patient").objects
        assert patients.filter(institution_id=institution.pk).count() == 3
        patients.filter(pk=second.pk).update(mrn="DEMO-1001-B")
        _migrate(AFTER)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_historicalpatient")
            cursor.execute("DELETE FROM cases_patient")
            cursor.execute("DELETE FROM tumorboard_institution WHERE code = 'mig-test'")
        _migrate(_latest())  # not AFTER alone: the later migrations must come back too
