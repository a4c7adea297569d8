"""Two beat processes at once (issue 11): for five minutes no escalation or alert goes out twice.

Production runs one ``celery beat``; a second one by mistake (a failover that overlapped, two
hosts with the same unit) must not double anything. Two real beats, each with its own schedule
file, send every periodic job every second to one real worker, so every escalation scan and
every outbox scan runs twice, concurrently, about 300 times each. Meanwhile a loader raises a
referral every five seconds whose alerts were never published (only the outbox can send them)
and whose escalation is already due. At the end: each escalation step is one event, each alert
one row and one e-mail.

The five minutes run in the background of the session (conftest.BeatSoak, on a throwaway
PostgreSQL cluster and Redis, started with the first reliability test); this test comes last,
waits for the end of the five minutes and reads the result.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import psycopg
import pytest
import redis

from tests.conftest import wait_for
from tests.reliability.conftest import BeatSoak, emails_by_alert, record_figures

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_two_beats_for_five_minutes_send_no_escalation_or_alert_twice(
    beat_soak: BeatSoak | None,
) -> None:
    assert beat_soak is not None, "the soak starts when this test is collected"
    soak = beat_soak
    soak.thread.join(timeout=600)
    if soak.error is not None:
        raise soak.error
    assert soak.cluster is not None and soak.redis is not None
    load, worker = soak.processes["load"], soak.processes["worker"]
    beats = [soak.processes["beat-a"], soak.processes["beat-b"]]
    assert load.proc is not None
    waited = time.monotonic()
    load.proc.wait(timeout=soak.seconds + 120)  # the five minutes (mostly over by now)
    waited = round(time.monotonic() - waited, 1)
    assert load.proc.returncode == 0, load.log()
    assert all(p.running for p in [worker, *beats]), "\n".join(
        p.log() for p in [worker, *beats])
    for beat in beats:
        beat.stop()

    conn = psycopg.connect(f"host=127.0.0.1 port={soak.cluster.port} user=postgres "
                           f"dbname=tumorboard", autocommit=True)
    broker = redis.Redis.from_url(soak.redis.url)

    def drained() -> bool:
        unsent = conn.execute("SELECT count(*) FROM referrals_alert WHERE sent_at IS NULL")
        return (unsent.fetchone() or [1])[0] == 0 and broker.llen("celery") == 0 and \
            broker.hlen("unacked") == 0

    try:
        wait_for(drained, timeout=120, interval=0.5)
    except pytest.fail.Exception:
        pytest.fail(f"alerts left unsent:\n{worker.log()}", pytrace=False)
    worker.stop()

    referrals = conn.execute("SELECT count(*) FROM referrals_referral").fetchone()[0]
    steps = Counter(
        (referral_id, level) for referral_id, level in conn.execute(
            "SELECT referral_id, (detail->>'level')::int FROM referrals_referralevent "
            "WHERE action = 'escalate'").fetchall())
    keys = Counter(conn.execute(
        "SELECT referral_id, recipient_id, kind, step FROM referrals_alert").fetchall())
    alerts = [row[0] for row in conn.execute("SELECT id FROM referrals_alert").fetchall()]
    conn.close()
    emails = emails_by_alert(soak.dir / "mail")
    duplicated = {pk: emails[pk] for pk in alerts if emails[pk] > 1}
    lost = [pk for pk in alerts if emails[pk] == 0]

    def scans(task: str) -> dict[str, int]:
        return {beat.name: len(re.findall(f"Sending due task {task} ", beat.log(10**9)))
                for beat in beats}

    escalate_scans = scans("referrals-escalate-due")
    record_figures(
        "two-beats", seconds=soak.seconds, referrals=referrals,
        escalate_scans_per_beat=escalate_scans,
        outbox_scans_per_beat=scans("referrals-resend-unsent-alerts"),
        escalation_steps=len(steps),
        step_1=sum(1 for (_, level) in steps if level == 1),
        step_2=sum(1 for (_, level) in steps if level == 2),
        duplicate_escalations=sum(1 for n in steps.values() if n > 1),
        alerts=len(alerts), duplicate_alert_rows=sum(1 for n in keys.values() if n > 1),
        emails=sum(emails[pk] for pk in alerts), duplicated_emails=len(duplicated),
        lost=len(lost), seconds_this_test_waited=waited,
    )
    assert referrals >= soak.seconds // soak.seed_every // 2, "the loader raised too little"
    assert min(escalate_scans.values()) > soak.seconds // 4, f"a beat did not run: {scans}"
    assert {level for (_, level) in steps} == {1, 2}, "both escalation steps must be reached"
    assert all(n == 1 for n in steps.values()), f"escalated twice: {steps}"
    assert all(n == 1 for n in keys.values())
    assert not lost, f"alerts never e-mailed: {lost[:20]}"
    assert not duplicated, f"alerts e-mailed more than once: {duplicated}"
