"""A synthetic hospital for the benchmarks, written fast with PostgreSQL COPY (``bench/seed``).

Usage: ``bench/seed --cases 10000 [--database tb_bench_10k]``. Creates (or re-creates) the
database on the server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432), migrates it
and fills it:

- one institution; four breast teams, four spine teams, one MDT team; a lead and members in each;
  a coordinator. Case ``i`` belongs to breast team ``i % 4`` and spine team ``i % 4``, so the
  benchmark personas (``breast0``, ``neuro0``) see a quarter of the hospital, a share that grows
  with it; the coordinator sees every case (member of the MDT team of every case);
- every case: patient, first phase event, one to three lesions with one or two imaging studies,
  a stored assessment (a real run of the scoring core on the case's inputs); access follows the
  team memberships themselves (cases.access), so no permission rows are written;
- one open breast-to-neuro referral per case (raised, sent, acknowledged, information
  requested), with its trigger, events and alert; exactly ``ELIGIBLE`` accepted (the cases an
  agenda population finds), ``LISTED`` listed for the MDT on a locked meeting (the agenda the
  load test reads), 1 % sent with their escalation step due; a closed, declined or cancelled
  neuro-to-breast referral on every tenth case (every state present);
- ``ALERT_POOL`` cases of breast team 0 with no referral, kept for the alert latency probe.

What is not written in this, the **stress** profile (the default): django-simple-history rows
and audit rows (the run adds them).

The **realistic** profile (``--profile realistic``) is the same hospital as production has it:
about 1.5 % of the cases with an open referral (and 0.1 % with their escalation step due),
every other case with a closed referral of the last year (raise, send, acknowledge, accept or
decline, close: its events and its two alerts, acknowledged), ``AUDIT_PER_CASE`` audit rows a
case over the year (reads and writes, in one chain whose head the ``AuditChain`` row holds; the
MACs are placeholders, so ``verify_audit`` is not for this database) and the history rows of
each patient (three) and lesion (two): the tables that grow in production (audit, history,
events, alerts) at full size in the measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import database_urls, drop_database, log, recreate_database  # noqa: E402

PASSWORD = "bench-tumorboard-2026"  # noqa: S105 (synthetic users of a throwaway database)
TEAMS = 4
ELIGIBLE = 200  # accepted referrals: the cases an agenda population finds (issue: 200)
LISTED = 100  # listed for the MDT on the locked meeting whose agenda the load test reads
ALERT_POOL = 60  # cases of breast team 0 with no referral, for the alert latency probe
TEMPLATES = 1000  # distinct clinical pictures, each a real run of the scoring core
BATCH = 20_000
OTHER_PHASES = ("initial_diagnosis", "spine_metastasis_detection", "pre_operative", "surgery",
                "post_operative", "surveillance")
OPEN_MIX = ("raised",) + ("sent",) * 9 + ("acknowledged",) * 4 + ("info_requested",) * 2
PROFILES = ("stress", "realistic")
REALISTIC_OPEN_EVERY = 66  # about 1.5 % of the cases with an open referral
AUDIT_PER_CASE = 20  # realistic: audit rows a case over a year (reads and writes)
BILSKY_ORDER = ("0", "1a", "1b", "1c", "2", "3")


def _copy(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY ``rows`` (attname -> value) into the model's table; missing fields get the model's
    default, JSON fields are wrapped. Returns the number of rows."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    # A generated column (Referral.queue_rank) is the database's to compute.
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    columns = [f.column for f in fields]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    defaults = {f.attname: f.get_default() for f in fields}
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        quoted = ", ".join(f'"{column}"' for column in columns)
        sql = f'COPY "{table}" ({quoted}) FROM STDIN'
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = []
                for f in fields:
                    value = row[f.attname] if f.attname in row else defaults[f.attname]
                    if f.attname in json_fields and value is not None:
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)
                count += 1
    return count


def _reset_sequences(models: Iterable[Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(  # table names from the models, not from input
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
            )


def _templates(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """Clinical pictures with their scoring result, breast primaries only."""
    from bench.bench_scoring import make_case
    from scoring.calculators import evaluate_request

    out: list[dict[str, Any]] = []
    while len(out) < TEMPLATES:
        body = make_case(rng)
        body["patient"]["primary_site"] = "breast"  # type: ignore[index]
        if not body["lesions"]:
            continue
        result = evaluate_request(body, now=now)
        out.append({"body": body, "result": json.loads(json.dumps(result, default=str))})
    return out


def _case_fields(patient: dict[str, Any]) -> dict[str, Any]:
    receptors = patient.get("receptors") or {}
    fields: dict[str, Any] = {
        "primary_status": "known_breast",
        "er": receptors.get("er"), "pr": receptors.get("pr"), "her2": receptors.get("her2"),
        "ki67": receptors.get("ki67"),
        "kps": patient.get("kps"), "ecog": patient.get("ecog"),
        "frankel": patient.get("frankel", ""),
        "extraspinal_bone_metastases": patient.get("extraspinal_bone_metastases"),
        "vertebral_metastases": patient.get("vertebral_metastases"),
        "visceral_metastases": patient.get("visceral_metastases", ""),
        "new_patient": patient.get("new_patient"),
        "new_or_progressive_back_pain": False,  # the alert probe flags back pain by hand
        "ambulatory": patient.get("ambulatory"), "albumin_g_dl": patient.get("albumin_g_dl"),
        "cdk46_inhibitor": bool(patient.get("cdk46_inhibitor")),
        "bone_modifying_agent": patient.get("bone_modifying_agent", ""),
        "anc_per_mm3": patient.get("anc_per_mm3"),
        "planned_surgery_date": (date.fromisoformat(patient["planned_surgery_date"])
                                 if patient.get("planned_surgery_date") else None),
        "bone_agent_last_dose": (date.fromisoformat(patient["bone_agent_last_dose"])
                                 if patient.get("bone_agent_last_dose") else None),
    }  # fmt: skip
    if fields["anc_per_mm3"] is not None:
        fields["anc_date"] = date(2026, 3, 1)
    return fields


def _people() -> dict[str, Any]:
    """Institution, teams, users and memberships."""
    from tumorboard.models import Institution, Team, TeamMembership, User

    institution = Institution.objects.create(name="Bench General Hospital", code="bench")
    password_hash = None

    def user(username: str, role: str) -> User:
        nonlocal password_hash
        person = User(username=username, role=role, institution=institution,
                      first_name=username.title(), last_name="Bench",
                      email=f"{username}@bench.invalid")
        if password_hash is None:
            person.set_password(PASSWORD)
            password_hash = person.password
        person.password = password_hash
        person.save()
        return person

    breast_teams, spine_teams, breast_users, spine_users = [], [], [], []
    for k in range(TEAMS):
        breast = Team.objects.create(institution=institution, name=f"Breast {k}",
                                     kind=Team.Kind.BREAST)
        spine = Team.objects.create(institution=institution, name=f"Spine {k}",
                                    kind=Team.Kind.SPINE)
        b_users = [user(f"breast{k}", "breast_oncosurgeon"),
                   user(f"breast{k}b", "breast_oncosurgeon")]
        s_users = [user(f"neuro{k}", "neurosurgeon"), user(f"neuro{k}b", "neurosurgeon"),
                   user(f"neuro{k}c", "neurosurgeon")]
        for team, members in ((breast, b_users), (spine, s_users)):
            for index, member in enumerate(members):
                TeamMembership.objects.create(team=team, user=member, is_lead=index == 0)
        breast_teams.append(breast)
        spine_teams.append(spine)
        breast_users.append(b_users)
        spine_users.append(s_users)
    mdt = Team.objects.create(institution=institution, name="Spine MDT", kind=Team.Kind.MDT)
    coordinator = user("coordinator", "coordinator")
    TeamMembership.objects.create(team=mdt, user=coordinator, is_lead=True)
    TeamMembership.objects.create(team=mdt, user=spine_users[0][0])
    TeamMembership.objects.create(team=mdt, user=breast_users[0][0])
    return {"institution": institution, "breast_teams": breast_teams,
            "spine_teams": spine_teams, "breast_users": breast_users,
            "spine_users": spine_users, "mdt": mdt, "coordinator": coordinator}


def _roles(n: int, profile: str = "stress") -> list[str]:
    """The referral role of each case: 'pool', 'accepted', 'listed', 'due', an open status or
    (realistic profile) 'history', a closed referral of the last year."""
    roles = [""] * n
    pool = list(range(0, n, TEAMS))[:ALERT_POOL]
    for i in pool:
        roles[i] = "pool"
    rest = [i for i in range(n) if not roles[i]]
    rng = random.Random(7)
    rng.shuffle(rest)
    cursor = 0
    due = max(1, n // 100) if profile == "stress" else max(1, n // 1000)
    for role, count in (("accepted", ELIGIBLE), ("listed", LISTED), ("due", due)):
        for i in rest[cursor:cursor + count]:
            roles[i] = role
        cursor += count
    for j, i in enumerate(rest[cursor:]):
        if profile == "realistic" and j % REALISTIC_OPEN_EVERY:
            roles[i] = "history"
        else:
            roles[i] = OPEN_MIX[(j // (REALISTIC_OPEN_EVERY if profile == "realistic" else 1))
                                % len(OPEN_MIX)]
    return roles


def seed(n: int, profile: str = "stress") -> dict[str, Any]:
    """Fill the (migrated, empty) database with a hospital of ``n`` cases; returns the ids the
    benchmarks need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import (
        Assessment,
        Case,
        LesionImaging,
        Patient,
        PhaseEvent,
        SpinalLesion,
    )
    from meetings.models import AgendaItem, Meeting, MeetingEvent
    from referrals.models import Alert, Referral, ReferralEvent, ReferralTrigger
    from scoring.calculators import URGENCY_DUE_HOURS, Urgency

    if n < ELIGIBLE + LISTED + ALERT_POOL + 100:
        raise SystemExit(f"--cases: at least {ELIGIBLE + LISTED + ALERT_POOL + 100}")

    now = timezone.now()
    rng = random.Random(20261121)
    templates = _templates(rng, now)
    people = _people()
    mdt, coordinator = people["mdt"], people["coordinator"]
    roles = _roles(n, profile)
    next_meeting = Meeting.objects.create(
        mdt_team=mdt, title="Bench MDT (locked)", starts_at=now + timedelta(days=3),
        place="Room 1", chair=people["spine_users"][0][0], coordinator=coordinator,
        status="agenda_locked", locked_at=now, created_by=coordinator)
    MeetingEvent.objects.create(meeting=next_meeting, action="create", to_status="planned",
                                actor=coordinator, at=now)

    def plan(i: int) -> dict[str, Any]:
        t = i % TEAMS
        role = roles[i]
        tpl = templates[i % TEMPLATES]
        opened = now - timedelta(days=2 + (n - i) * 700 / n, minutes=rng.randrange(600))
        if role == "listed":
            phase = "mdt_tumor_board"
        elif role in ("accepted", "pool"):
            phase = "spine_metastasis_detection"
        else:
            phase = OTHER_PHASES[i % len(OTHER_PHASES)]
        return {"i": i, "t": t, "role": role, "tpl": tpl, "opened": opened, "phase": phase}

    counts: dict[str, int] = {}
    ids = {"lesion": 0, "imaging": 0, "referral": 0, "event": 0, "alert": 0,
           "trigger": 0, "item": 0, "audit": 0, "patient_history": 0,
           "lesion_history": 0}

    def bump(key: str) -> int:
        ids[key] += 1
        return ids[key]

    if profile == "realistic":  # the rows the setup above audited come first
        from django.db.models import Max

        from cases.models import AuditEvent

        top = AuditEvent.objects.aggregate(pk=Max("pk"), seq=Max("seq"))
        ids["audit"] = max(top["pk"] or 0, top["seq"] or 0)

    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for lo in range(0, n, BATCH):
            plans = [plan(i) for i in range(lo, min(n, lo + BATCH))]
            _write_batch(plans, people, now, next_meeting, bump, counts,
                         models=(Patient, Case, PhaseEvent, SpinalLesion, LesionImaging,
                                 Assessment, Referral,
                                 ReferralTrigger, ReferralEvent, Alert, AgendaItem),
                         urgency_hours={u.value: h for u, h in URGENCY_DUE_HOURS.items()},
                         urgency_enum=Urgency)
            if profile == "realistic":
                _write_realistic(plans, people, now, bump, counts)
            log(f"seed: {min(n, lo + BATCH):,}/{n:,} cases "
                f"({time.monotonic() - started:.0f} s)")
    grown = []
    if profile == "realistic":
        from cases.models import AuditChain, AuditEvent

        grown = [AuditEvent, Patient.history.model, SpinalLesion.history.model]
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "prev_hash",
                                                               "hash").first()
        if last:
            AuditChain.objects.update_or_create(pk=1, defaults={
                "length": last[0], "prev_hash": last[1], "head_hash": last[2]})
    _reset_sequences([Patient, Case, PhaseEvent, SpinalLesion, LesionImaging, Assessment,
                      Referral, ReferralTrigger, ReferralEvent,
                      Alert, AgendaItem, *grown])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "cases": n, "rows": counts, "next_meeting": next_meeting.pk,
        "pool": [i + 1 for i, role in enumerate(roles) if role == "pool"],
        "mdt_team": mdt.pk, "coordinator": coordinator.pk, "profile": profile,
    }


def _write_batch(plans: list[dict[str, Any]], people: dict[str, Any],
                 now: datetime, next_meeting: Any, bump: Any, counts: dict[str, int], *,
                 models: tuple[Any, ...], urgency_hours: dict[str, int],
                 urgency_enum: Any) -> None:
    (Patient, Case, PhaseEvent, SpinalLesion, LesionImaging, Assessment,
     Referral, ReferralTrigger, ReferralEvent, Alert, AgendaItem) = models
    institution = people["institution"]
    mdt = people["mdt"]

    def add(name: str, k: int) -> None:
        counts[name] = counts.get(name, 0) + k

    def patients() -> Iterator[dict[str, Any]]:
        for p in plans:
            i = p["i"]
            yield {"id": i + 1, "institution_id": institution.pk, "mrn": f"BENCH{i:08d}",
                   "family_name": f"Family{i}", "given_name": f"Given{i}",
                   "birth_date": date(1940 + i % 50, 1 + i % 12, 1 + i % 28), "sex": "female",
                   "created_by_id": people["breast_users"][p["t"]][0].pk,
                   "created_at": p["opened"], "updated_at": p["opened"]}

    add("patients", _copy(Patient, patients()))

    def cases() -> Iterator[dict[str, Any]]:
        for p in plans:
            i, t, result = p["i"], p["t"], p["tpl"]["result"]
            row = _case_fields(p["tpl"]["body"]["patient"])
            row.update(id=i + 1, patient_id=i + 1, subtype=str(result["subtype"]),
                       breast_team_id=people["breast_teams"][t].pk,
                       spine_team_id=people["spine_teams"][t].pk, mdt_team_id=mdt.pk,
                       phase=p["phase"], current_event_id=i + 1, latest_assessment_id=i + 1,
                       created_by_id=people["breast_users"][t][0].pk,
                       created_at=p["opened"], updated_at=p["opened"] + timedelta(hours=1))
            yield row

    add("cases", _copy(Case, cases()))
    add("phase_events", _copy(PhaseEvent, (
        {"id": p["i"] + 1, "case_id": p["i"] + 1, "from_phase": "", "to_phase": p["phase"],
         "actor_id": people["breast_users"][p["t"]][0].pk, "at": p["opened"],
         "reason": "Case opened.", "timeline_version": "bench"} for p in plans)))

    lesions, imagings = [], []
    for p in plans:
        actor = people["breast_users"][p["t"]][0].pk
        for k, body in enumerate(p["tpl"]["body"]["lesions"]):
            lesion_id = bump("lesion")
            lesions.append({"id": lesion_id, "case_id": p["i"] + 1, "label": f"Lesion {k + 1}",
                            "levels": body["levels"], "created_by_id": actor,
                            "created_at": p["opened"]})
            studies = 2 if (p["i"] + k) % 3 == 0 else 1
            for s in range(studies):
                imagings.append({
                    "id": bump("imaging"), "lesion_id": lesion_id,
                    "imaging_date": (p["opened"] - timedelta(days=40 * (studies - 1 - s))).date(),
                    **{f: body[f] for f in ("pain", "bone_lesion", "alignment", "collapse",
                                            "posterolateral", "bilsky")},
                    "progressed_after_radiation": body["progressed_after_radiation"],
                    "recorded_by_id": actor, "created_at": p["opened"]})
    add("lesions", _copy(SpinalLesion, lesions))
    add("imagings", _copy(LesionImaging, imagings))

    def assessments() -> Iterator[dict[str, Any]]:
        for p in plans:
            body, result = p["tpl"]["body"], p["tpl"]["result"]
            yield {"id": p["i"] + 1, "case_id": p["i"] + 1,
                   "created_by_id": people["breast_users"][p["t"]][0].pk,
                   "evaluated_at": p["opened"], "rules_version": result["rules_version"],
                   "inputs": body, "result": result, "subtype": str(result["subtype"]),
                   "max_sins": max(item["sins"]["total"] for item in result["lesions"]),
                   "max_bilsky": max((lesion["bilsky"] for lesion in body["lesions"]),
                                     key=BILSKY_ORDER.index),
                   "urgency": result["urgency"] or "",
                   "pathway": result["noms"]["pathway"],
                   "tokuhashi_total": result["tokuhashi"]["total"],
                   "tomita_total": result["tomita"]["total"]}

    add("assessments", _copy(Assessment, assessments()))

    referrals, triggers, events, alerts, items = [], [], [], [], []
    for p in plans:
        role, t = p["role"], p["t"]
        if role in ("pool", "history"):
            continue
        sender = people["breast_users"][t][0].pk
        receivers = people["spine_users"][t]
        status = {"due": "sent", "listed": "listed_for_mdt"}.get(role, role)
        urgency = p["tpl"]["result"]["urgency"] or ""
        created = now - timedelta(hours=1 + (p["i"] * 7919) % (24 * 30))
        hours = urgency_hours.get(urgency)
        ref = {"id": bump("referral"), "case_id": p["i"] + 1, "direction": "breast_to_neuro",
               "status": status, "urgency": urgency,
               "due_at": created + timedelta(hours=hours) if hours else None,
               "urgency_rationale": "bench", "sender_id": sender,
               "sending_team_id": people["breast_teams"][t].pk,
               "receiving_team_id": people["spine_teams"][t].pk,
               "created_at": created, "updated_at": created,
               "sent_at": None if status == "raised" else created,
               "info_question": "Latest MRI?" if status == "info_requested" else ""}
        if status not in ("raised", "sent"):
            ref.update(assignee_id=receivers[0].pk, acknowledged_at=created + timedelta(hours=1))
        if status in ("accepted", "listed_for_mdt"):
            ref["decided_at"] = created + timedelta(hours=2)
        if status == "sent":
            ref["escalation_due_at"] = (now - timedelta(minutes=5) if role == "due"
                                        else now + timedelta(minutes=30 + p["i"] % 600))
        referrals.append(ref)
        triggers.append({"id": bump("trigger"), "referral_id": ref["id"],
                         "code": "sins_7_or_more", "evidence": "bench", "source": "rules",
                         "fired_at": created})
        events.append({"id": bump("event"), "referral_id": ref["id"], "action": "raise",
                       "to_status": "raised", "at": created})
        if status != "raised":
            events.append({"id": bump("event"), "referral_id": ref["id"], "action": "send",
                           "from_status": "raised", "to_status": "sent", "at": created})
            alerts.append({"id": bump("alert"), "recipient_id": receivers[0].pk,
                           "referral_id": ref["id"], "kind": "new_referral",
                           "created_at": created, "claimed_at": created, "attempts": 1,
                           "sent_at": created, "email_skipped": True,
                           "acknowledged_at": created if p["i"] % 50 else None})
        if role == "listed":
            position = bump("item")
            items.append({"id": position, "meeting_id": next_meeting.pk, "case_id": p["i"] + 1,
                          "position": position, "source": "auto", "urgency": urgency,
                          "max_sins": None, "max_bilsky": "", "referred_at": created,
                          "priority_reason": "bench", "created_at": now})
        if p["i"] % 10 == 0:  # a finished referral the other way: every state is present
            done = ("closed", "declined", "cancelled")[(p["i"] // 10) % 3]
            old = created - timedelta(days=60)
            ref = {"id": bump("referral"), "case_id": p["i"] + 1,
                   "direction": "neuro_to_breast", "status": done, "urgency": "green",
                   "due_at": old + timedelta(days=14), "urgency_rationale": "bench",
                   "sender_id": receivers[0].pk,
                   "sending_team_id": people["spine_teams"][t].pk,
                   "receiving_team_id": people["breast_teams"][t].pk,
                   "created_at": old, "updated_at": old + timedelta(days=2), "sent_at": old,
                   "decline_reason": "Not indicated." if done == "declined" else "",
                   "closed_at": old + timedelta(days=2)}
            referrals.append(ref)
            events.append({"id": bump("event"), "referral_id": ref["id"], "action": done,
                           "from_status": "sent", "to_status": done, "at": old})
    add("referrals", _copy(Referral, referrals))
    add("referral_triggers", _copy(ReferralTrigger, triggers))
    add("referral_events", _copy(ReferralEvent, events))
    add("alerts", _copy(Alert, alerts))
    add("agenda_items", _copy(AgendaItem, items))


def _write_realistic(plans: list[dict[str, Any]], people: dict[str, Any], now: datetime,
                     bump: Any, counts: dict[str, int]) -> None:
    """The realistic profile's rows for a batch of cases: a closed referral of the last year
    for each 'history' case (events, alerts), audit rows and history rows of every case."""
    import hashlib

    from cases.models import AuditEvent, Patient, SpinalLesion
    from referrals.models import Alert, Referral, ReferralEvent

    def add(name: str, k: int) -> None:
        counts[name] = counts.get(name, 0) + k

    referrals, events, alerts = [], [], []
    for p in plans:
        if p["role"] != "history":
            continue
        i, t = p["i"], p["t"]
        sender = people["breast_users"][t][0].pk
        receiver = people["spine_users"][t][0].pk
        created = now - timedelta(days=3 + (i * 7919) % 360, minutes=i % 600)
        declined = i % 5 == 0
        ref = {"id": bump("referral"), "case_id": i + 1, "direction": "breast_to_neuro",
               "status": "declined" if declined else "closed", "urgency": "green",
               "due_at": created + timedelta(days=14), "urgency_rationale": "bench",
               "sender_id": sender, "sending_team_id": people["breast_teams"][t].pk,
               "receiving_team_id": people["spine_teams"][t].pk, "assignee_id": receiver,
               "created_at": created, "updated_at": created + timedelta(days=2),
               "sent_at": created, "acknowledged_at": created + timedelta(hours=3),
               "decided_at": created + timedelta(days=1),
               "decline_reason": "Not indicated." if declined else "",
               "closed_at": created + timedelta(days=2)}
        referrals.append(ref)
        steps = [("raise", "", "raised"), ("send", "raised", "sent"),
                 ("acknowledge", "sent", "acknowledged")]
        steps += ([("decline", "acknowledged", "declined")] if declined else
                  [("accept", "acknowledged", "accepted"), ("close", "accepted", "closed")])
        for k, (action, before, after) in enumerate(steps):
            events.append({"id": bump("event"), "referral_id": ref["id"], "action": action,
                           "from_status": before, "to_status": after,
                           "at": created + timedelta(hours=k)})
        for kind, recipient in (("new_referral", receiver), ("decided", sender)):
            alerts.append({"id": bump("alert"), "recipient_id": recipient,
                           "referral_id": ref["id"], "kind": kind, "created_at": created,
                           "claimed_at": created, "attempts": 1, "sent_at": created,
                           "email_skipped": True, "acknowledged_at": created + timedelta(hours=1)})
    add("referrals", _copy(Referral, referrals))
    add("referral_events", _copy(ReferralEvent, events))
    add("alerts", _copy(Alert, alerts))

    def audit_rows() -> Iterator[dict[str, Any]]:
        for p in plans:
            i, t = p["i"], p["t"]
            actors = (people["breast_users"][t][0].pk, people["spine_users"][t][0].pk)
            for k in range(AUDIT_PER_CASE):
                seq = bump("audit")
                prev = hashlib.sha256(str(seq - 1).encode()).hexdigest()
                yield {"id": seq, "seq": seq, "prev_hash": prev,
                       "hash": hashlib.sha256(str(seq).encode()).hexdigest(),
                       "actor_id": actors[k % 2], "action": ("view", "view", "list",
                                                             "update")[k % 4],
                       "object_type": "case", "object_id": i + 1, "case_id": i + 1,
                       "patient_id": i + 1, "case_ids": None,
                       "at": now - timedelta(days=365 * (AUDIT_PER_CASE - k) / AUDIT_PER_CASE,
                                             minutes=i % 1440),
                       "ip_address": "10.0.0.1", "path": f"/cases/{i + 1}/",
                       "outcome": "ok", "detail": {}}

    add("audit_events", _copy(AuditEvent, audit_rows()))

    def patient_history() -> Iterator[dict[str, Any]]:
        for p in plans:
            i = p["i"]
            for k, kind in enumerate(("+", "~", "~")):
                yield {"history_id": bump("patient_history"), "id": i + 1,
                       "institution_id": people["institution"].pk, "mrn": f"BENCH{i:08d}",
                       "family_name": f"Family{i}", "given_name": f"Given{i}",
                       "birth_date": date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
                       "sex": "female", "created_by_id": people["breast_users"][p["t"]][0].pk,
                       "created_at": p["opened"], "updated_at": p["opened"],
                       "history_date": p["opened"] + timedelta(days=30 * k),
                       "history_type": kind, "history_change_reason": None,
                       "history_user_id": people["breast_users"][p["t"]][0].pk}

    add("patient_history", _copy(Patient.history.model, patient_history()))
    lesions = list(SpinalLesion.objects.filter(case_id__in=[p["i"] + 1 for p in plans])
                   .values("id", "case_id", "label", "levels", "created_by_id", "created_at"))

    def lesion_history() -> Iterator[dict[str, Any]]:
        for lesion in lesions:
            for k, kind in enumerate(("+", "~")):
                yield {**lesion, "history_id": bump("lesion_history"),
                       "history_date": lesion["created_at"] + timedelta(days=20 * k),
                       "history_type": kind, "history_change_reason": None,
                       "history_user_id": lesion["created_by_id"]}

    add("lesion_history", _copy(SpinalLesion.history.model, lesion_history()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--database", help="default tb_bench_<cases>")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    parser.add_argument("--json", help="write the ids the run needs to this file")
    parser.add_argument("--profile", choices=PROFILES, default="stress",
                        help="stress: one open referral per case; realistic: 1-2 %% open, a "
                        "year of closed history, audit and history rows")
    args = parser.parse_args()
    name = args.database or f"tb_bench_{args.cases}"
    server, url = database_urls(name)
    if args.drop:
        drop_database(server, name)
        return 0
    started = time.monotonic()
    recreate_database(server, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.monotonic()
    info = seed(args.cases, args.profile)
    info.update(database=name, migrate_seconds=round(migrated - started, 1),
                seed_seconds=round(time.monotonic() - migrated, 1),
                seeded_at=datetime.now(UTC).isoformat(timespec="seconds"))
    log(f"seed: {name}: {args.cases:,} cases in {info['seed_seconds']} s "
        f"(migrate {info['migrate_seconds']} s); rows {info['rows']}")
    if args.json:
        Path(args.json).write_text(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
