"""Helpers of the reliability battery (issue 11): throwaway servers, killable processes, figures.

Tests that stop or kill a server start their own: a ``redis-server`` or a PostgreSQL cluster made
with ``initdb``, each on a spare loopback port, never the shared ones. Every test writes its
figures to ``test-artifacts/reliability/<name>.json`` (copied by hand into README.md here).

The slow tests (minutes each) carry the ``slow`` marker: ``pytest -m "not slow"`` is the fast
suite; CI (``make test``) runs everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASE_DIR, require_service

ARTIFACTS = BASE_DIR / "test-artifacts" / "reliability"
PG_BIN = Path(os.environ.get("RELIABILITY_PG_BIN", "/usr/lib/postgresql/15/bin"))
MESSAGE_ID = re.compile(r"^Message-ID: <alert-(\d+)@tumorboard>", re.MULTILINE)


def record_figures(name: str, **figures: Any) -> dict[str, Any]:
    """Write the figures of one test run where README.md's numbers are copied from."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {"test": name, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               **figures}
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"\nreliability figures {name}: {json.dumps(figures, sort_keys=True)}")
    return figures


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emails_by_alert(mail_dir: Path) -> Counter[int]:
    """How many e-mails the file backend wrote for each alert id (its fixed Message-ID)."""
    counts: Counter[int] = Counter()
    if mail_dir.exists():
        for path in mail_dir.iterdir():
            counts.update(int(pk) for pk in MESSAGE_ID.findall(path.read_text(errors="replace")))
    return counts


class Proc:
    """A process in its own session, so that SIGKILL reaches it and every child it forked."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=BASE_DIR, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole process group and wait (SIGKILL after 20 s)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # Children left behind by a SIGKILLed parent (a prefork pool, gunicorn's workers).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log(self, tail: int = 3000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]


class Supervisor:
    """Restarts a process that exited with an error after ``delay`` seconds, as the systemd
    units of deploy/systemd do (``Restart=on-failure``, ``RestartSec=5``); counts restarts."""

    def __init__(self, process: Proc, delay: float = 5.0) -> None:
        self.process, self.delay = process, delay
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            proc = self.process.proc
            if proc is not None and proc.poll() not in (None, 0) and not self._stop.wait(
                    self.delay):
                self.restarts += 1
                self.process.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.process.stop()


def celery(name: str, args: list[str], env: dict[str, str], log_dir: Path,
           app: str = "tumorboard") -> Proc:
    return Proc(name, [sys.executable, "-m", "celery", "-A", app, *args], env, log_dir)


# --- a throwaway redis-server -------------------------------------------------------------------


class RedisServer:
    """A redis-server of this test only, without persistence (as on the CI machines: a stop loses
    every queued message, which is the point of the broker-outage test)."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        self.dir = work_dir
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require_service("needs redis-server on PATH for a throwaway Redis")
        assert binary is not None
        self.proc = Proc(f"redis-{self.port}", [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.dir), "--protected-mode", "yes",
        ], dict(os.environ), self.dir).start()
        self._wait(up=True)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill(signal.SIGKILL)  # an outage, not a clean shutdown
        self._wait(up=False)

    def _wait(self, *, up: bool) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG") and up:
                        return
            except OSError:
                if not up:
                    return
            time.sleep(0.1)
        log = self.proc.log() if self.proc else ""
        pytest.fail(f"redis on port {self.port} did not {'start' if up else 'stop'}:\n{log}",
                    pytrace=False)


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# --- a throwaway PostgreSQL cluster -------------------------------------------------------------


class PostgresCluster:
    """A PostgreSQL cluster made with initdb in a temporary directory, on a spare loopback port.

    initdb and postgres refuse to run as root: as root, both run as the ``postgres`` OS user
    (``runuser``) in a directory it owns. fsync is off: the data is thrown away."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            require_service(f"needs PostgreSQL server binaries in {PG_BIN} (RELIABILITY_PG_BIN)")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tb-reliability-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tumorboard"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run([*prefix, *argv], capture_output=True, text=True, check=check,
                              timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                  "postgres", "tumorboard")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off")
        result = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                           "-o", options, "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            pytest.fail(f"throwaway PostgreSQL did not start:\n{result.stdout}{result.stderr}\n"
                        f"{self.log.read_text(errors='replace')[-2000:]}", pytrace=False)

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


# --- the two-beat soak, in the background of the whole session ----------------------------------

SOAK_TEST = "test_two_beats_for_five_minutes_send_no_escalation_or_alert_twice"
SOAK_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)  # after -m / -k deselection: a deselected soak never starts
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The two-beat soak runs its five minutes while the other tests run (module
    test_two_beats); its test goes last and reads the result."""
    soak = [item for item in items if item.name == SOAK_TEST]
    if soak:
        items[:] = [item for item in items if item.name != SOAK_TEST] + soak
    config.stash[SOAK_KEY] = bool(soak)


class BeatSoak:
    """Two beats, a worker and a loader on a throwaway PostgreSQL cluster and Redis, started in
    a thread so that the session goes on meanwhile. Needs no shared service."""

    def __init__(self, work_dir: Path, seconds: int, seed_every: float) -> None:
        self.dir, self.seconds, self.seed_every = work_dir, seconds, seed_every
        self.error: BaseException | None = None
        self.redis: RedisServer | None = None
        self.cluster: PostgresCluster | None = None
        self.processes: dict[str, Proc] = {}
        self.thread = threading.Thread(target=self._start, daemon=True)

    def _start(self) -> None:
        try:
            self.redis = RedisServer(self.dir)
            self.redis.start()
            self.cluster = PostgresCluster()
            self.cluster.init()
            from tests.conftest import service_env

            env = service_env(
                {"DATABASE_URL": self.cluster.url, "REDIS_URL": self.redis.url},
                EMAIL_URL="filemail://", TUMORBOARD_VAR_DIR=str(self.dir),
                RELIABILITY_BEAT_INTERVAL="1", ALERT_OUTBOX_RESEND_AFTER_SECONDS="1",
                REFERRAL_ESCALATION_CLOCK_DIVISOR="1440", CELERY_VISIBILITY_TIMEOUT="30",
                API_THROTTLE_RATE="off",
            )
            for argv in ([sys.executable, "manage.py", "migrate", "--noinput"],
                         [sys.executable, "-m", "tests.reliability.outage_seed", "--cases", "0",
                          "--escalation-team"]):
                done = subprocess.run(argv, cwd=BASE_DIR, env=env, capture_output=True,
                                      text=True, timeout=300, check=False)
                if done.returncode != 0:
                    raise RuntimeError(f"{' '.join(argv[1:4])} failed:\n{done.stderr[-3000:]}")
            self.processes["worker"] = celery("worker", [
                "worker", "--pool=threads", "--concurrency=4", "--loglevel=INFO",
                "--hostname=soak@localhost", "--without-gossip", "--without-mingle",
                "--without-heartbeat"], env, self.dir).start()
            for name in ("beat-a", "beat-b"):
                self.processes[name] = celery(name, [
                    "beat", "--loglevel=INFO", f"--schedule={self.dir / name}"], env, self.dir,
                    app="tests.reliability.fastbeat").start()
            self.processes["load"] = Proc("load", [
                sys.executable, "-m", "tests.reliability.outage_load", "--seconds",
                str(self.seconds), "--interval", str(self.seed_every), "--unpublished",
                "--escalation-due"], env, self.dir).start()
        except BaseException as error:  # reported by the soak's test
            self.error = error

    def close(self) -> None:
        self.thread.join(timeout=600)
        for process in self.processes.values():
            process.stop()
        if self.cluster is not None:
            self.cluster.destroy()
        if self.redis is not None:
            self.redis.stop()


@pytest.fixture(scope="session", autouse=True)
def beat_soak(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[BeatSoak | None]:
    if not request.config.stash.get(SOAK_KEY, False):
        yield None
        return
    soak = BeatSoak(tmp_path_factory.mktemp("soak"),
                    seconds=int(os.environ.get("RELIABILITY_BEAT_SECONDS", "300")),
                    seed_every=5.0)
    soak.thread.start()
    yield soak
    soak.close()
