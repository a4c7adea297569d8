"""Audit completeness and the canary.

A scripted journey touches every kind of patient record (patient, case, lesion, imaging,
assessment, phase transition, checklist, referral, meeting agenda, decision, admin) through the
API and the pages, as the three clinical personas, an outsider and the administrator. Every step
must leave at least one audit row with the actor, the patient (or the cases shown, for a list),
the action, the outcome and a UTC time: the figure is audited steps / steps (must be 100 %).

The canary: a patient whose name and MRN are unmistakable goes through the same journey; neither
may appear in any log line (every logger at DEBUG), any error body (4xx), any URL requested or
redirected to or linked from a page, or any message published to the broker.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import AuditEvent, Case
from meetings import services as meeting_services
from referrals.models import Referral
from tests.factories import STUDY

pytestmark = pytest.mark.django_db

CANARY = {"given_name": "Ottoline", "family_name": "Brackenwhistle", "mrn": "MRN-CANARY-55731"}
SECRETS = tuple(CANARY.values())


@dataclass
class Step:
    name: str
    scope: str  # "case": a row naming this patient; "list": a row listing the case; "denied"
    status: int
    audited: bool = False


class Journey:
    """Runs steps, records what each answered and which audit rows it left."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.urls: list[str] = []
        self.error_bodies: list[str] = []
        self.pages: list[str] = []
        self.case: Case | None = None

    def run(self, name: str, scope: str, call: Any, *, expect: int) -> Any:
        last = AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        response = call()
        assert response.status_code == expect, (name, response.status_code,
                                                 getattr(response, "content", b"")[:300])
        self.urls.append(response.request["PATH_INFO"] + "?" + response.request.get(
            "QUERY_STRING", ""))
        if response.get("Location"):
            self.urls.append(response["Location"])
        body = response.content.decode(errors="replace")
        if response.status_code >= 400:
            self.error_bodies.append(body)
        if response.get("Content-Type", "").startswith("text/html"):
            self.urls.extend(re.findall(r'(?:href|action|src)="([^"]*)"', body))
        rows = list(AuditEvent.objects.filter(pk__gt=last))
        step = Step(name, scope, response.status_code, audited=self._complete(rows, scope))
        self.steps.append(step)
        return response

    def _complete(self, rows: list[AuditEvent], scope: str) -> bool:
        assert self.case is not None or scope == "create"
        for row in rows:
            if row.actor_id is None or not row.action or not row.outcome:
                continue
            if row.at.utcoffset() != dt.timedelta(0):
                continue
            if scope in ("case", "create") and row.patient_id is not None and (
                    self.case is None or row.patient_id == self.case.patient_id):
                return True
            if scope == "list" and self.case is not None and self.case.pk in (row.case_ids or []):
                return True
            if scope == "denied" and row.outcome == "denied":
                return True
        return False


@pytest.fixture
def broker_messages() -> Any:
    """Every message published to the broker during the test, as sent (body and headers)."""
    from tumorboard.celery import app

    published: list[str] = []

    def capture(sender: Any = None, body: Any = None, headers: Any = None, **kwargs: Any) -> None:
        published.append(json.dumps([sender, body, headers], default=str))

    # A queue of its own, purged after: nothing this test sends reaches a real worker.
    queue, previous = f"canary-{uuid.uuid4().hex[:8]}", app.conf.task_default_queue
    app.conf.task_default_queue = queue
    before_task_publish.connect(capture, weak=False)
    yield published
    before_task_publish.disconnect(capture)
    app.conf.task_default_queue = previous
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    except Exception:  # noqa: S110 - the queue may never have been declared
        pass


def test_every_read_and_write_is_audited_and_the_canary_leaks_nowhere(
    caplog, client, breast_surgeon, neurosurgeon, coordinator, oncologist, outsider, admin_person,
    breast_team, spine_team, mdt_team, broker_messages, django_capture_on_commit_callbacks,
) -> None:
    caplog.set_level(logging.DEBUG)
    journey = Journey()
    api = APIClient(REMOTE_ADDR="10.9.8.7")

    def as_api(user: Any) -> APIClient:
        api.force_authenticate(user)
        return api

    def run(name: str, scope: str, call: Any, expect: int = 200) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return journey.run(name, scope, call, expect=expect)

    # --- the breast oncosurgeon, through the API ---
    body = {"patient": {**CANARY, "birth_date": "1966-03-14", "sex": "female"},
            "primary_status": "known_breast", "breast_team": breast_team.pk,
            "spine_team": spine_team.pk, "mdt_team": mdt_team.pk, "er": True, "pr": True,
            "her2": False, "ki67": 10.0, "kps": 70, "frankel": "D", "deficit_onset_unknown": True,
            "extraspinal_bone_metastases": 1, "vertebral_metastases": 2,
            "visceral_metastases": "none"}
    created = run("case create (API)", "create",
                  lambda: as_api(breast_surgeon).post(reverse("api-cases"), body, format="json"),
                  201)
    journey.case = Case.objects.get(pk=created.json()["id"])
    case_id = journey.case.pk
    run("duplicate MRN refused (API)", "denied_or_none",
        lambda: as_api(breast_surgeon).post(reverse("api-cases"), body, format="json"), 400)
    run("case read (API)", "case",
        lambda: as_api(breast_surgeon).get(reverse("api-case", args=[case_id])))
    version = api.get(reverse("api-case", args=[case_id])).json()["version"]
    run("case update (API)", "case",
        lambda: as_api(breast_surgeon).patch(reverse("api-case", args=[case_id]),
                                             {"version": version, "kps": 60}, format="json"))
    run("lesion with imaging (API)", "case",
        lambda: as_api(breast_surgeon).post(
            reverse("api-case-lesions", args=[case_id]),
            {**STUDY, "imaging_date": "2026-01-05", "levels": ["T7"], "bilsky": "2",
             "alignment": "deformity"}, format="json"), 201)
    run("assessment (API)", "case",
        lambda: as_api(breast_surgeon).post(reverse("api-case-assessments", args=[case_id]), {},
                                            format="json"), 201)
    run("phase transition (API)", "case",
        lambda: as_api(breast_surgeon).post(reverse("api-case-transitions", args=[case_id]),
                                            {"to_phase": "spine_metastasis_detection",
                                             "reason": "lesion"}, format="json"), 201)
    run("timeline (API)", "case",
        lambda: as_api(breast_surgeon).get(reverse("api-case-timeline", args=[case_id])))
    run("case list (API)", "list", lambda: as_api(breast_surgeon).get(reverse("api-cases")))

    # --- the same person through the pages ---
    client.force_login(breast_surgeon)
    run("case page", "case", lambda: client.get(reverse("cases:case-detail", args=[case_id])))
    run("case list page", "list", lambda: client.get(reverse("cases:case-list")))
    run("case as of a date", "case",
        lambda: client.get(reverse("cases:case-as-of", args=[case_id]), {"at": "2030-01-01"}))
    run("breast home", "list", lambda: client.get(reverse("home-breast")))
    lesion = journey.case.lesions.get()
    run("serial imaging (page)", "case",
        lambda: client.post(reverse("cases:imaging-create", args=[case_id, lesion.pk]),
                            {**STUDY, "imaging_date": "2026-02-02"}), 302)

    # --- the neurosurgeon triages the referral the lesion raised ---
    referral = Referral.objects.get(case_id=case_id, direction="breast_to_neuro")
    run("referral list (API)", "list", lambda: as_api(neurosurgeon).get(reverse("api-referrals")))
    run("referral read (API)", "case",
        lambda: as_api(neurosurgeon).get(reverse("api-referral", args=[referral.pk])))
    run("referral acknowledge (API)", "case",
        lambda: as_api(neurosurgeon).post(reverse("api-referral-acknowledge",
                                                  args=[referral.pk]), {}, format="json"))
    run("referral accept (API)", "case",
        lambda: as_api(neurosurgeon).post(reverse("api-referral-accept", args=[referral.pk]),
                                          {"note": "for MDT"}, format="json"))
    client.force_login(neurosurgeon)
    run("referral page", "case",
        lambda: client.get(reverse("referrals:referral-detail", args=[referral.pk])))
    run("neuro home", "list", lambda: client.get(reverse("home-neuro")))

    # --- the coordinator runs the MDT ---
    meeting = meeting_services.meeting_create(
        mdt_team=mdt_team, starts_at=timezone.now() + dt.timedelta(days=2), chair=neurosurgeon,
        coordinator=coordinator, actor=coordinator, place="Room 1",
        attendees=[breast_surgeon, oncologist])
    run("agenda populate (API)", "list",
        lambda: as_api(coordinator).post(reverse("api-meeting-agenda-populate",
                                                 args=[meeting.pk]), {}, format="json"))
    run("agenda read (API)", "list",
        lambda: as_api(coordinator).get(reverse("api-meeting-agenda", args=[meeting.pk])))
    client.force_login(coordinator)
    run("meeting page", "list",
        lambda: client.get(reverse("meetings:meeting-detail", args=[meeting.pk])))

    # --- an outsider probes; the administrator opens the patient in the admin ---
    run("outsider case read (API)", "denied",
        lambda: as_api(outsider).get(reverse("api-case", args=[case_id])), 404)
    client.force_login(outsider)
    run("outsider case page", "denied",
        lambda: client.get(reverse("cases:case-detail", args=[case_id])), 404)
    client.force_login(admin_person)
    run("admin patient page", "case",
        lambda: client.get(reverse("admin:cases_patient_change",
                                   args=[journey.case.patient_id])))

    # --- the figures ---
    counted = [s for s in journey.steps if s.scope != "denied_or_none"]
    missing = [s.name for s in counted if not s.audited]
    print(f"\naudit completeness: {len(counted) - len(missing)}/{len(counted)} steps audited")
    assert missing == [], f"steps without a complete audit row: {missing}"
    assert len(counted) >= 25

    # --- the canary ---
    assert caplog.records and broker_messages, "no logs or broker messages captured"
    for record in caplog.records:
        line = " ".join([record.getMessage(), str(record.args), record.exc_text or ""])
        for secret in SECRETS:
            assert secret not in line, f"{secret!r} in a log line of {record.name}"
    for where, texts in (("error body", journey.error_bodies), ("URL", journey.urls),
                         ("broker message", broker_messages)):
        for text in texts:
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} in a {where}: {text[:200]}"
    dump = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert not any(secret in dump for secret in SECRETS)
    print(f"canary: {len(caplog.records)} log lines, {len(journey.error_bodies)} error bodies, "
          f"{len(journey.urls)} URLs, {len(broker_messages)} broker messages: clean")
