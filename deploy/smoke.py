"""Smoke test of the production stack on one machine (run it as deploy/smoke).

Starts what production runs, with the production settings (DEBUG off, a generated secret,
collected and hashed static files, JSON logs): gunicorn with deploy/gunicorn.conf.py and two
workers, a Celery worker and Celery beat, on PostgreSQL and Redis. Then drives a journey over
HTTP: log in, create a case, record a lesion that fires a referral, see its alert delivered by the
worker, populate a meeting, lock it, generate the packet and fetch it. Stops everything it started
and exits non-zero on any failure, printing the end of every log.

PostgreSQL: DATABASE_URL names a database to use as is; without it a throwaway database is created
on postgres://postgres@127.0.0.1:5432 and dropped at the end. Redis: REDIS_URL, default
redis://127.0.0.1:6379/9; the stack uses a queue of its own, so nothing else's tasks mix in.
"""

# ruff: noqa: S310, S603
# (fixed loopback URLs; commands built from constants)

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


class SmokeFailure(Exception):
    pass


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def wait_for(what: str, predicate: Callable[[], Any], timeout: float,
             interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- services -----------------------------------------------------------------------------------


@contextmanager
def database() -> Iterator[str]:
    """DATABASE_URL as given, or a throwaway database dropped on exit."""
    import psycopg

    given = os.environ.get("DATABASE_URL", "").strip()
    if given:
        try:
            psycopg.connect(given.replace("postgresql://", "postgres://", 1),
                            connect_timeout=5).close()
        except psycopg.Error as exc:
            raise SmokeFailure(f"PostgreSQL at DATABASE_URL unreachable: {exc}") from None
        yield given
        return
    name = f"tumorboard_smoke_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(f"{DEFAULT_PG}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise SmokeFailure(f"PostgreSQL at {DEFAULT_PG} unreachable (set DATABASE_URL): "
                           f"{exc}") from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    step(f"created the throwaway database {name}")
    try:
        yield f"{DEFAULT_PG}/{name}"
    finally:
        with psycopg.connect(f"{DEFAULT_PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        step(f"dropped {name}")


def redis_url() -> str:
    import redis

    url = os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS
    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as exc:
        raise SmokeFailure(f"Redis at {url} unreachable: {type(exc).__name__}: {exc}") from None
    return url


class Stack:
    """gunicorn, a worker and beat, each in its own process group, logs in the temp dir."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env,
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n"
                               f"{(result.stdout + result.stderr)[-3000:]}")
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        step(f"started {name} (pid {self.procs[name].pid})")

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise SmokeFailure(f"stopped unexpectedly: {dead}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                step(f"{name} did not stop on SIGTERM: killing its process group")
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # A pool child that outlived its parent would keep the database open.
        for proc in self.procs.values():
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


# --- HTTP -----------------------------------------------------------------------------------------


class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None,
             expect: tuple[int, ...] = (200,)) -> tuple[int, bytes, Any]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, head = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, head = error.code, error.read(), error.headers
        if status not in expect:
            raise SmokeFailure(f"{method} {path}: HTTP {status}, expected {expect}: "
                               f"{raw[:1000].decode(errors='replace')}")
        return status, raw, head

    def json(self, method: str, path: str, body: Any = None,
             expect: tuple[int, ...] = (200,)) -> Any:
        _, raw, _ = self.call(method, path, body, expect)
        return json.loads(raw) if raw else None

    def login(self, username: str, password: str) -> Api:
        # A new, hashed token each time; its secret is in this answer only (201).
        token = self.json("POST", "/api/v1/auth/token/",
                          {"username": username, "password": password, "name": "smoke"},
                          expect=(201,))["token"]
        return Api(self.base, token)


def results(page: Any) -> list[dict[str, Any]]:
    return page["results"] if isinstance(page, dict) and "results" in page else page


# --- the journey ----------------------------------------------------------------------------------


def demo_ids(stack: Stack) -> dict[str, int]:
    """Ids of the demo teams and people (seed_demo made them) for the request bodies."""
    code = (
        "import json; from tumorboard.models import Team, User; print(json.dumps({"
        "**{t.name: t.pk for t in Team.objects.all()}, "
        "**{u.username: u.pk for u in User.objects.all()}}))"
    )
    return json.loads(stack.manage("shell", "-c", code).strip().splitlines()[-1])


def journey(base: str, stack: Stack, password: str, canary: str, *, meetings: bool) -> None:
    ids = demo_ids(stack)
    anonymous = Api(base)

    step("the login page: security headers, hashed static file served by WhiteNoise")
    _, page, head = anonymous.call("GET", "/login/")
    for header, expected in (("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                             ("Referrer-Policy", "same-origin")):
        if head.get(header) != expected:
            raise SmokeFailure(f"/login/: {header} is {head.get(header)!r}, not {expected!r}")
    if "script-src 'self'" not in (head.get("Content-Security-Policy") or ""):
        raise SmokeFailure("/login/: no Content-Security-Policy")
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.decode())
    if not css:
        raise SmokeFailure("/login/: no hashed stylesheet link (collectstatic/manifest?)")
    _, static_body, head = anonymous.call("GET", css.group(1))
    if not static_body or "max-age=315360000" not in (head.get("Cache-Control") or ""):
        raise SmokeFailure(f"{css.group(1)}: not served with a long cache "
                           f"({head.get('Cache-Control')!r})")

    step("breast1 logs in (token) and creates a case")
    breast = anonymous.login("breast1", password)
    case = breast.json("POST", "/api/v1/cases/", {
        "patient": {"mrn": f"SMOKE-{secrets.token_hex(4)}", "given_name": "Smoke",
                    "family_name": canary, "birth_date": "1970-01-01", "sex": "female"},
        "primary_status": "known_breast",
        "breast_team": ids["Riverside Breast Service"],
        "spine_team": ids["Riverside Spine Service"],
        "mdt_team": ids["Spine Metastasis MDT"],
    }, expect=(201,))
    case_id = case["id"]

    step(f"a lesion with SINS >= 7 on case {case_id}")
    today = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    breast.json("POST", f"/api/v1/cases/{case_id}/lesions/", {
        "levels": ["T7"], "imaging_date": today.isoformat(), "pain": "mechanical",
        "bone_lesion": "lytic", "alignment": "normal", "collapse": "under_50",
        "posterolateral": "unilateral", "bilsky": "1b",
    }, expect=(201,))

    def referral() -> dict[str, Any] | None:
        rows = results(breast.json("GET", "/api/v1/referrals/"))
        return next((r for r in rows if r["case"] == case_id), None)

    found = wait_for("the referral", referral, timeout=30)
    step(f"referral {found['id']} raised ({found['status']}, {found['urgency']})")

    step("neuro1 sees the alert delivered by the worker")
    neuro = anonymous.login("neuro1", password)

    def alert_sent() -> dict[str, Any] | None:
        stack.check_alive()
        rows = results(neuro.json("GET", "/api/v1/alerts/"))
        return next((a for a in rows if a["referral"] == found["id"] and a["sent_at"]), None)

    alert = wait_for("the alert sent by the worker", alert_sent, timeout=60)
    step(f"alert {alert['id']} sent at {alert['sent_at']}")

    if not meetings:
        step("--skip-meetings: meeting, agenda and packet steps skipped")
        return

    step("neuro1 accepts the referral: the case becomes eligible for the MDT agenda")
    for action, body in (("acknowledge", {}), ("accept", {"note": "smoke"})):
        neuro.json("POST", f"/api/v1/referrals/{found['id']}/{action}/", body)

    step("the coordinator creates a meeting, populates and locks the agenda")
    coordinator = anonymous.login("coordinator", password)
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    meeting = coordinator.json("POST", "/api/v1/meetings/", {
        "mdt_team": ids["Spine Metastasis MDT"], "title": "Smoke MDT", "place": "Room 2",
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        # Only an active clinician chairs (issue 15): the neurosurgeon of the demo MDT.
        "chair": ids["neuro1"],
    }, expect=(201,))
    meeting_id = meeting["id"]
    items = coordinator.json("POST", f"/api/v1/meetings/{meeting_id}/agenda/populate/")
    if not any(item.get("case") == case_id for item in results(items)):
        raise SmokeFailure(f"meeting {meeting_id}: the agenda lacks case {case_id}: {items}")
    coordinator.json("POST", f"/api/v1/meetings/{meeting_id}/lock/")

    step("the packet: requested (202), rendered by the worker, fetched")
    coordinator.json("POST", f"/api/v1/meetings/{meeting_id}/packet/", {"kind": "packet"},
                     expect=(202,))

    def ready() -> bool:
        stack.check_alive()
        state = coordinator.json("GET", f"/api/v1/meetings/{meeting_id}/packet/")
        if state["status"] == "failed":
            raise SmokeFailure(f"packet failed: {state}")
        return state["status"] == "ready"

    wait_for("the packet", ready, timeout=120)
    _, pdf, _ = coordinator.call("GET", f"/api/v1/meetings/{meeting_id}/packet.pdf")
    if not pdf.startswith(b"%PDF"):
        raise SmokeFailure(f"packet.pdf is not a PDF: {pdf[:40]!r}")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    if canary not in text:
        raise SmokeFailure(f"the packet ({len(pdf)} bytes) does not show case {case_id}")
    step(f"packet.pdf: {len(pdf)} bytes, shows the case")


def check_logs(stack: Stack, canary: str) -> None:
    """JSON from gunicorn and Django; no patient name anywhere."""
    for name in ("web", "worker", "beat"):
        if canary in stack.log(name):
            raise SmokeFailure(f"the patient's name is in the {name} log")
    lines = [line for line in stack.log("web").splitlines() if line.strip()]
    bad = [line for line in lines if not _is_json(line)]
    if bad or not lines:
        raise SmokeFailure(f"web log lines that are not JSON: {bad[:5]}")
    if not any(" /api/v1/cases/ 201 " in json.loads(line)["message"] for line in lines):
        raise SmokeFailure("gunicorn's access log has no line for the case created")


def _is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def run(stack: Stack, base: str, password: str, started: float, *, meetings: bool) -> None:
    step("migrate, collectstatic, seed_demo (production settings)")

    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("collectstatic", "--noinput", "-v0")
    stack.manage("seed_demo", "-v0")
    bin_dir = Path(PYTHON).parent
    stack.start("web", [str(bin_dir / "gunicorn"), "-c", "deploy/gunicorn.conf.py"])
    stack.start("worker", [PYTHON, "-m", "celery", "-A", "tumorboard", "worker",
                           "--loglevel=INFO", "--concurrency=2", "-O", "fair",
                           "--without-gossip", "--without-mingle",
                           f"--hostname=smoke-{os.getpid()}@%h"])
    stack.start("beat", [PYTHON, "-m", "celery", "-A", "tumorboard", "beat",
                         "--loglevel=INFO"])

    def healthy() -> bool:
        stack.check_alive()
        try:
            with urllib.request.urlopen(base + "/health/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for("/health/ 200 (database, broker, workers)", healthy, timeout=120)
    step(f"/health/ is 200 after {time.monotonic() - started:.0f} s")
    canary = f"Smokeperson{secrets.token_hex(3)}"
    journey(base, stack, password, canary, meetings=meetings)
    check_logs(stack, canary)
    check_audit(stack)


def check_audit(stack: Stack) -> None:
    """The keyed audit chain verifies under production settings, against the checkpoint that
    beat's job wrote outside the database."""
    checkpoint = Path(stack.env["TUMORBOARD_VAR_DIR"]) / "audit" / "checkpoint.json"
    wait_for("beat's audit checkpoint", checkpoint.exists, timeout=90)
    report = stack.manage("verify_audit")
    if "matches the audit checkpoint" not in report or "audit chain intact" not in report:
        raise SmokeFailure(f"verify_audit: {report[-1000:]}")
    step(f"audit trail: {report.strip().splitlines()[-1]}, and it matches beat's checkpoint")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-meetings", action="store_true",
                        help="stop after the alert (for a tree without the meetings API)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with the logs")
    args = parser.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="tumorboard-smoke-"))
    stack: Stack | None = None
    ok = False
    try:
        broker = redis_url()
        with database() as database_url:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            password = os.environ.get("DEMO_PASSWORD", "demo-tumorboard-2026")
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("PYTEST", "SECURE_", "GUNICORN_", "LOG_"))
                   and k not in {"DEBUG", "SECRET_KEY", "AUDIT_HMAC_KEY", "STATIC_MANIFEST",
                                 "EMAIL_URL",
                                 "CELERY_TASK_DEFAULT_QUEUE", "FORWARDED_ALLOW_IPS"}}
            env.update(
                DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
                AUDIT_HMAC_KEY=secrets.token_urlsafe(50),
                DATABASE_URL=database_url, REDIS_URL=broker,
                ALLOWED_HOSTS="127.0.0.1,localhost", CSRF_TRUSTED_ORIGINS=base,
                SERVICE_BASE_URL=base, FHIR_CANONICAL_BASE=f"{base}/api/v1/fhir",
                # Plain HTTP on loopback, with no nginx in front to terminate TLS: the only
                # production settings turned off. HSTS and the rest stay as in production.
                SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false",
                TUMORBOARD_VAR_DIR=str(tmp / "var"), MEDIA_ROOT=str(tmp / "media"),
                EMAIL_URL="filemail://", DEMO_PASSWORD=password,
                CELERY_TASK_DEFAULT_QUEUE=f"smoke-{secrets.token_hex(4)}",
                WORKER_HEARTBEAT_INTERVAL="2", GUNICORN_BIND=f"127.0.0.1:{port}",
                AUDIT_CHECKPOINT_SECONDS="10",
                GUNICORN_WORKERS="2", PYTHONUNBUFFERED="1",
            )
            stack = Stack(env, tmp)
            try:
                run(stack, base, password, started, meetings=not args.skip_meetings)
            finally:
                stack.stop()  # before the database is dropped
            ok = True
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr, flush=True)
    finally:
        if stack is not None and not ok:
            for name in stack.procs:
                tail = "\n".join(stack.log(name).splitlines()[-40:])
                print(f"----- {name} log (last 40 lines) -----\n{tail}", file=sys.stderr)
        if args.keep or not ok:
            step(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    step(f"{'passed' if ok else 'FAILED'} in {elapsed:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
