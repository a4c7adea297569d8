"""In-process measurements on a seeded hospital (run by bench/run, one process per probe).

``python -m bench.probe <probe> [options]`` with DATABASE_URL naming a database made by
bench/seed, prints one JSON object on stdout. Probes:

- ``queries``: SQL queries per request of each load-tested endpoint through the Django test
  Client (same views, session login), after a warm-up request, on two different rows each;
- ``agenda``: populating the agenda of a new planned meeting (200 eligible cases), timed inside
  a transaction rolled back after each run;
- ``packet``: a locked meeting of N cases; our whole render (``meetings.packet.packet_render``)
  against WeasyPrint alone on the same final HTML; peak RSS of this process;
- ``alerts``: back pain flagged by hand on cases without a referral; from the commit of each
  referral to each alert row marked sent by the real worker (bench/run starts it);
- ``escalation``: the due scan of ``referrals.services.escalate_due`` and a whole escalation
  pass over every due referral, with the scan's EXPLAIN ANALYZE.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

#: (name, persona, path builder) of every load-tested endpoint; ``{case}``/``{meeting}`` filled.
#: ``bare`` is served by bench/bare_wsgi.py (no Django), on a gunicorn of its own.
ENDPOINTS = {
    "bare": ("breast0", "/"),
    "ping": ("breast0", "/api/v1/ping/"),
    "case_list": ("breast0", "/api/v1/cases/?page={page}"),
    "case_list_page": ("breast0", "/cases/?page={page}"),
    "case_detail": ("breast0", "/api/v1/cases/{case}/"),
    "case_page": ("breast0", "/cases/{case}/"),
    "triage_queue": ("neuro0", "/referrals/"),
    "breast_home": ("breast0", "/home/breast/"),
    "coordinator_home": ("coordinator", "/home/coordinator/"),
    "agenda": ("coordinator", "/api/v1/meetings/{meeting}/agenda/"),
    "meeting_mode": ("coordinator", "/meetings/{meeting}/live/?item={item}"),
    "fhir_search": ("breast0", "/api/v1/fhir/Patient?identifier={mrn}"),
    # Every page asks for the bell's number once shown (static/js/app.js).
    "bell": ("neuro0", "/referrals/alerts/bell/"),
}


class ProbeFailure(Exception):
    pass


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
    import django

    django.setup()


def _user(username: str) -> Any:
    from tumorboard.models import User

    return User.objects.get(username=username)


def visible_case_ids(username: str = "breast0", limit: int = 200) -> list[int]:
    from cases.access import case_list_visible_to

    return list(case_list_visible_to(user=_user(username)).order_by("pk")
                .values_list("pk", flat=True)[:limit])


def agenda_item_ids(meeting: int) -> list[int]:
    from meetings.models import AgendaItem

    return list(AgendaItem.objects.filter(meeting_id=meeting).order_by("position")
                .values_list("pk", flat=True))


def visible_mrns(case_ids: list[int]) -> list[str]:
    """The MRNs of the given cases' patients, in the cases' order (FHIR ``identifier=``)."""
    from cases.models import Case

    by_case = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "patient__mrn"))
    return [by_case[pk] for pk in case_ids]


def locked_meeting_id() -> int:
    from meetings.models import Meeting

    return Meeting.objects.get(title="Bench MDT (locked)").pk


def paths() -> dict[str, Any]:
    """What the load generator requests: the persona, its session and the paths of each
    endpoint."""
    from django.conf import settings
    from django.test import Client

    cases = visible_case_ids()
    meeting = locked_meeting_id()
    items, mrns = agenda_item_ids(meeting), visible_mrns(cases)
    sessions = {}
    for persona in {persona for persona, _ in ENDPOINTS.values()}:
        client = Client()
        client.force_login(_user(persona))  # django.contrib.auth.login(): a real session row
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    out: dict[str, Any] = {"cookie_name": settings.SESSION_COOKIE_NAME}
    for name, (persona, template) in ENDPOINTS.items():
        if "{case}" in template:
            chosen = [template.format(case=pk) for pk in cases[::4][:50]]
        elif "{item}" in template:
            chosen = [template.format(meeting=meeting, item=pk) for pk in items[::2][:50]]
        elif "{mrn}" in template:
            chosen = [template.format(mrn=mrn) for mrn in mrns[::4][:50]]
        else:
            chosen = [template.format(page=1, meeting=meeting)]
        out[name] = {"persona": persona, "session": sessions[persona], "paths": chosen}
    return out


def probe_queries() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cases = visible_case_ids()
    meeting = locked_meeting_id()
    items, mrns = agenda_item_ids(meeting), visible_mrns(cases)
    variants = {
        "ping": ["/api/v1/ping/"] * 2,
        "case_list": ["/api/v1/cases/?page=1", "/api/v1/cases/?page=2"],
        "case_list_page": ["/cases/?page=1", "/cases/?page=2"],
        "case_detail": [f"/api/v1/cases/{cases[0]}/", f"/api/v1/cases/{cases[-1]}/"],
        "case_page": [f"/cases/{cases[0]}/", f"/cases/{cases[-1]}/"],
        "triage_queue": ["/referrals/", "/referrals/?page=2"],
        "breast_home": ["/home/breast/"] * 2,
        "coordinator_home": ["/home/coordinator/"] * 2,
        "agenda": [f"/api/v1/meetings/{meeting}/agenda/"] * 2,
        "meeting_mode": [f"/meetings/{meeting}/live/?item={items[0]}",
                         f"/meetings/{meeting}/live/?item={items[-1]}"],
        "fhir_search": [f"/api/v1/fhir/Patient?identifier={mrns[0]}",
                        f"/api/v1/fhir/Patient?identifier={mrns[-1]}"],
        "bell": ["/referrals/alerts/bell/"] * 2,
    }
    out: dict[str, Any] = {"bare": [0, 0]}  # no Django, no query
    for name, urls in variants.items():
        client = Client()
        client.force_login(_user(ENDPOINTS[name][0]))
        counts = []
        client.get(urls[0])  # warm-up: caches of content types, sessions, permissions
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            if response.status_code != 200:
                raise ProbeFailure(f"queries: GET {url} answered {response.status_code}")
            counts.append(len(queries))
        out[name] = counts
    return out


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


class _Rollback(Exception):
    pass


def probe_agenda(repeats: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from meetings import services
    from tumorboard.models import Team

    coordinator = _user("coordinator")
    meeting = services.meeting_create(
        mdt_team=Team.objects.get(kind=Team.Kind.MDT), starts_at=timezone.now()
        + timedelta(days=10), chair=_user("neuro0"), coordinator=coordinator,
        actor=coordinator, place="Room 3", title="Bench MDT (populate)")
    times, added = [], 0
    for _ in range(repeats + 1):  # the first run warms caches and is left out
        started = time.perf_counter()
        try:
            with transaction.atomic():
                added = len(services.agenda_populate(meeting=meeting, actor=coordinator))
                times.append(time.perf_counter() - started)
                raise _Rollback
        except _Rollback:
            pass
    if added == 0:
        raise ProbeFailure("agenda: the population found no eligible case")
    return {"items": added, "seconds": times[1:], "median_s": statistics.median(times[1:])}


def probe_packet(cases: int, repeats: int) -> dict[str, Any]:
    from django.utils import timezone

    from cases.models import Case
    from meetings import packet, services
    from meetings.models import OPEN_MEETING_STATUSES, Packet, PacketStatus
    from referrals.models import OPEN_STATUSES
    from tumorboard.models import Team

    coordinator = _user("coordinator")
    meeting = services.meeting_create(
        mdt_team=Team.objects.get(kind=Team.Kind.MDT), starts_at=timezone.now()
        + timedelta(days=20), chair=_user("neuro0"), coordinator=coordinator,
        actor=coordinator, place="Room 4", title=f"Bench MDT (packet {cases})")
    # Cases with a referral still before triage, then (the realistic hospital has few of
    # those) cases with no open referral: locking the agenda changes none of them, so the
    # later probes (alerts, escalation) find the hospital as seeded.
    free = (Case.objects.exclude(phase="mdt_tumor_board")
            .exclude(agenda_items__meeting__status__in=OPEN_MEETING_STATUSES))
    chosen = list(free.filter(referrals__status__in=["raised", "sent", "acknowledged",
                                                     "info_requested"])
                  .distinct().order_by("pk")[:cases])
    if len(chosen) < cases:
        chosen += list(free.exclude(referrals__status__in=OPEN_STATUSES)
                       .distinct().order_by("pk")[:cases - len(chosen)])
    if len(chosen) < cases:
        raise ProbeFailure(f"packet: only {len(chosen)} cases free for a {cases}-case agenda")
    for case in chosen:
        services.agenda_item_add(meeting=meeting, case=case, actor=coordinator)
    meeting = services.meeting_lock(meeting=meeting, actor=coordinator)
    record = Packet.objects.create(meeting=meeting, kind="packet", audience=coordinator,
                                   requested_at=timezone.now())
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Warm-up: WeasyPrint's first run loads fonts and builds caches; not part of either figure.
    packet.render_pdf(packet.packet_html(meeting=meeting, audience=coordinator, kind="packet")[0])
    ours, raw, build, pages = [], [], [], 0
    for _ in range(repeats):
        Packet.objects.filter(pk=record.pk).update(status=PacketStatus.PENDING)
        ours.append(_timed(lambda: packet.packet_render(packet_id=record.pk)))
        record.refresh_from_db()
        if record.status != PacketStatus.READY:
            raise ProbeFailure(f"packet: status {record.status} ({record.error})")
        pages = record.page_count or 0
        started = time.perf_counter()
        html, _ids = packet.packet_html(meeting=meeting, audience=coordinator, kind="packet")
        build.append(time.perf_counter() - started)  # our part alone: rows to HTML
        raw.append(_timed(lambda html=html: packet.render_pdf(html)))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cases": cases, "pages": pages, "ours_s": ours, "weasyprint_s": raw,
            "median_ours_s": statistics.median(ours),
            "median_weasyprint_s": statistics.median(raw),
            "overhead_ratio": statistics.median(ours) / statistics.median(raw),
            "median_html_s": statistics.median(build),
            "peak_rss_mb": round(peak_kb / 1024, 1),
            "rss_before_render_mb": round(baseline_kb / 1024, 1)}


def probe_alerts(count: int, timeout: float) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Case
    from referrals.models import Alert
    from referrals.services import referral_flag

    actor = _user("breast0")
    pool = list(Case.objects.filter(referrals__isnull=True, breast_team__name="Breast 0")
                .order_by("pk")[:count])
    if len(pool) < count:
        raise ProbeFailure(f"alerts: {len(pool)} cases without a referral, {count} needed")
    latencies: list[float] = []
    for case in pool:
        stamps: list[Any] = []
        with transaction.atomic():
            # Registered first, so it runs first at commit, before the service's enqueue.
            transaction.on_commit(lambda stamps=stamps: stamps.append(timezone.now()))
            referral = referral_flag(case=case, codes=["back_pain"], actor=actor)
        deadline = time.monotonic() + timeout
        while True:
            rows = list(Alert.objects.filter(referral=referral).values_list("sent_at", flat=True))
            if rows and all(rows):
                break
            if time.monotonic() > deadline:
                raise ProbeFailure(f"alerts: referral {referral.pk}: not all alerts sent "
                                   f"within {timeout:.0f} s (is the worker running?)")
            time.sleep(0.01)
        latencies.extend((sent - stamps[0]).total_seconds() for sent in rows)
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"referrals": count, "alerts": len(ordered), "p50_s": pct(0.5), "p95_s": pct(0.95),
            "max_s": ordered[-1]}


def probe_escalation(repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from referrals.models import OPEN_STATUSES, Referral, ReferralStatus
    from referrals.services import escalate_due

    now = timezone.now()
    scan = Referral.objects.filter(status=ReferralStatus.SENT,
                                   escalation_due_at__lte=now).values_list("pk",
                                                                           "escalation_level")
    due = scan.count()
    scan_times = [_timed(lambda: list(scan[:500])) for _ in range(repeats)]
    sql, params = scan[:500].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    open_count = Referral.objects.filter(status__in=OPEN_STATUSES).count()
    steps = 0
    started = time.perf_counter()
    while True:
        done = escalate_due()
        steps += done
        if not done:
            break
    whole = time.perf_counter() - started
    if steps != due:
        raise ProbeFailure(f"escalation: {steps} steps taken, {due} referrals were due")
    return {"open_referrals": open_count, "due": due, "scan_s": scan_times,
            "median_scan_s": statistics.median(scan_times), "pass_s": whole,
            "per_referral_ms": 1000 * whole / max(1, due), "scan_plan": plan}


def probe_meeting_mode(repeats: int) -> dict[str, Any]:
    """Meeting mode (meetings.live) on the locked bench meeting: SQL queries and time of the
    page at the first and the last agenda item (the count must not grow with the position or
    the agenda's length)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from meetings.models import AgendaItem

    meeting = locked_meeting_id()
    ids = list(AgendaItem.objects.filter(meeting_id=meeting).order_by("position")
               .values_list("pk", flat=True))
    if not ids:
        raise ProbeFailure("meeting mode: the bench meeting has no agenda")
    client = Client()
    client.force_login(_user("coordinator"))
    out: dict[str, Any] = {"items": len(ids)}
    for where, item in (("first", ids[0]), ("last", ids[-1])):
        url = f"/meetings/{meeting}/live/?item={item}"
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise ProbeFailure(f"meeting mode: GET {url} answered {response.status_code}")
        times = [_timed(partial(client.get, url)) for _ in range(repeats)]
        out[where] = {"queries": len(queries), "median_s": statistics.median(times)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("probe", choices=["paths", "queries", "agenda", "packet", "alerts",
                                          "escalation", "meeting_mode"])
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    _setup()
    try:
        result = {
            "paths": paths,
            "queries": probe_queries,
            "agenda": lambda: probe_agenda(args.repeats),
            "packet": lambda: probe_packet(args.cases, args.repeats),
            "alerts": lambda: probe_alerts(args.count, args.timeout),
            "escalation": lambda: probe_escalation(args.repeats),
            "meeting_mode": lambda: probe_meeting_mode(args.repeats),
        }[args.probe]()
    except ProbeFailure as failure:
        print(f"probe {args.probe}: FAILED: {failure}", file=sys.stderr)
        return 1
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
