"""The embedded default, as `make run` starts it: SQLite, the filesystem broker, three processes.

Drives it over HTTP like a person: the login page, each demo login's landing page, a task sent
from the web process and executed by the worker process, and beat's periodic heartbeat.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tumorboard.demo import PEOPLE
from tumorboard.roles import HOME_URL_NAME

BASE_DIR = Path(__file__).resolve().parents[2]
HOME_PATHS = {
    "home-breast": "/home/breast/", "home-neuro": "/home/neuro/",
    "home-coordinator": "/home/coordinator/", "home-oncology": "/home/oncology/",
    "home-admin": "/home/admin/", "home-radonc": "/home/radiation-oncology/",
    "home-specialist": "/home/specialist/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as r:
                return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310
                                         headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=10) as r:
            return r.status, r.geturl(), r.read().decode()


@pytest.fixture
def stack(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_DEFAULT_QUEUE"}
           and not k.startswith("PYTEST")}
    env.update(TUMORBOARD_VAR_DIR=str(tmp_path / "var"), WORKER_HEARTBEAT_INTERVAL="1",
               PYTHONUNBUFFERED="1", ADT_LISTEN_PORT=str(free_port()))
    (tmp_path / "adt-port").write_text(env["ADT_LISTEN_PORT"])
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo", "-v0"]):
        subprocess.run([*manage, *step], cwd=BASE_DIR, env=env, check=True, timeout=120)
    log = (tmp_path / "stack.log").open("wb")
    proc = subprocess.Popen(
        [*manage, "runstack", "--addr", f"127.0.0.1:{port}", "--concurrency", "1"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def announced() -> bool:
        return b"Tumor board running" in (tmp_path / "stack.log").read_bytes()

    try:
        wait_for(announced, timeout=120, interval=0.2)
        # Once it says it runs, the web server answers at once (it used to say so a moment
        # before it listened, and a person who opened the page met a refused connection).
        urllib.request.urlopen(base + "/login/", timeout=10).close()  # noqa: S310
        yield base, tmp_path
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        output = (tmp_path / "stack.log").read_text(errors="replace")
        assert proc.returncode is not None
    assert "Stopped web, workers and beat." in output, output[-3000:]


def login(base: str, username: str, password: str) -> tuple[Browser, str]:
    browser = Browser(base)
    status, _, page = browser.get("/login/")
    assert status == 200 and 'name="username"' in page
    status, landed, _ = browser.post("/login/", {"username": username, "password": password})
    assert status == 200
    return browser, urllib.parse.urlsplit(landed).path


@pytest.mark.slow  # starts the whole `make run` stack (web, workers, beat): about a minute
def test_make_run_serves_every_role_runs_tasks_and_beat(stack, settings) -> None:
    base, _ = stack
    for username, _first, _last, role, _teams in PEOPLE:
        _, landed = login(base, username, settings.DEMO_PASSWORD)
        assert landed == HOME_PATHS[HOME_URL_NAME[role]], username

    browser, _ = login(base, "admin", settings.DEMO_PASSWORD)
    status, _, page = browser.post("/system/probe/", {})
    probe = re.search(r"Probe (\d+) sent", page)
    assert status == 200 and probe
    row = re.compile(rf"#{probe.group(1)}</td><td>[^<]+</td>\s*<td>\d{{4}}-")

    def probe_executed() -> bool:
        return bool(row.search(browser.get("/home/admin/")[2]))

    wait_for(probe_executed, timeout=60, interval=0.5)

    def healthy() -> dict | None:
        status, _, body = browser.get("/health/")
        return json.loads(body) if status == 200 else None

    report = wait_for(healthy, timeout=60, interval=0.5)
    assert report["checks"]["broker"]["transport"] == "filesystem"
    assert report["checks"]["database"]["vendor"] == "sqlite"

    # The HL7 v2 ADT listener runs in the stack too (issue 21): an A01 over MLLP is applied.
    from tests.integrations.adt_feed import Mllp, adt, fields

    feed = Mllp(int((stack[1] / "adt-port").read_text()))
    reply = fields(feed.send(adt("A01", "RUNSTACK-1", mrn="RS-1", authority="riverside")))
    feed.close()
    assert reply["MSA"][1:3] == ["AA", "RUNSTACK-1"]
