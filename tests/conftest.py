"""Shared fixtures: personas for access tests, and real services for integration tests.

Personas (after healthchecks' alice/bob/charlie): `breast_surgeon` and `neurosurgeon` share the
care teams of one patient group, `coordinator` runs its MDT, `outsider` is a breast surgeon of
another team who must never see their cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.factories import TeamFactory, UserFactory, add_member
from tumorboard.models import Team, User
from tumorboard.roles import Role

BASE_DIR = Path(__file__).resolve().parent.parent


def require_service(reason: str) -> None:
    """Skip with a reason on a laptop; fail under TUMORBOARD_REQUIRE_SERVICES=1 (CI)."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1) -> Any:
    """Poll until predicate() is truthy; return its value, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s", pytrace=False)
        time.sleep(interval)


# --- markers the fast loop deselects by (`make test-fast`, pyproject's [tool.pytest] markers) ---

RELIABILITY_DIR = BASE_DIR / "tests" / "reliability"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    """Mark each test by what it needs, so that a new test is deselected without a list of files:
    real services (the ``integration_services`` fixture), a browser (Playwright's ``browser``
    fixture; not ``page``, a parameter name elsewhere), or the reliability battery (everything
    under tests/reliability).

    Then, after every other hook (pytest-randomly's shuffle included: this wrapper is the
    outermost), a test named ``test_zz_*`` goes after the other tests of its module, in any order:
    it sums up what they did (tests/api/test_schemathesis.py: at least 1,000 requests)."""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if "integration_services" in needs:
            item.add_marker(pytest.mark.integration)
        if "browser" in needs:
            item.add_marker(pytest.mark.browser)
        if RELIABILITY_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.reliability)
    result = yield
    summaries = [item for item in items if item.name.startswith("test_zz_")]
    for summary in summaries:
        items.remove(summary)
        same_module = [i for i, item in enumerate(items) if item.path == summary.path]
        items.insert(same_module[-1] + 1 if same_module else len(items), summary)
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Tests create many users; production keeps Django's slow hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_api_rate_limit(settings: Any) -> None:
    # The suite (schemathesis above all) makes thousands of API calls as a handful of users;
    # tests/api/test_throttling.py turns the limit back on.
    settings.API_THROTTLE_RATE = None


@pytest.fixture(autouse=True)
def _own_audit_checkpoint(settings: Any, tmp_path: Path) -> None:
    # Each test compares the audit chain with its own checkpoints only: a beat started by a
    # reliability test writes the shared var directory's file for another moment of the database.
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoint.json"


# --- personas -------------------------------------------------------------------------------


@pytest.fixture
def breast_team(db: None) -> Team:
    return TeamFactory(name="Breast Service A", kind=Team.Kind.BREAST)


@pytest.fixture
def spine_team(db: None) -> Team:
    return TeamFactory(name="Spine Service A", kind=Team.Kind.SPINE)


@pytest.fixture
def mdt_team(db: None) -> Team:
    return TeamFactory(name="Spine MDT", kind=Team.Kind.MDT)


@pytest.fixture
def breast_surgeon(breast_team: Team) -> User:
    user = UserFactory(username="alice", role=Role.BREAST_ONCOSURGEON)
    add_member(breast_team, user, lead=True)
    return user


@pytest.fixture
def neurosurgeon(spine_team: Team) -> User:
    user = UserFactory(username="bob", role=Role.NEUROSURGEON)
    add_member(spine_team, user, lead=True)
    return user


@pytest.fixture
def coordinator(mdt_team: Team) -> User:
    user = UserFactory(username="carol", role=Role.COORDINATOR)
    add_member(mdt_team, user, lead=True)
    return user


@pytest.fixture
def dave(spine_team: Team) -> User:
    """A second neurosurgeon of the receiving team, not its lead: two people triage at once."""
    user = UserFactory(username="dave", role=Role.NEUROSURGEON)
    add_member(spine_team, user)
    return user


@pytest.fixture
def teams(breast_team: Team, spine_team: Team, mdt_team: Team) -> dict[str, Team]:
    """The three teams of a case, as tests.factories.make_mdt_case takes them."""
    return {"breast_team": breast_team, "spine_team": spine_team, "mdt_team": mdt_team}


@pytest.fixture
def outsider(db: None) -> User:
    other_team = TeamFactory(name="Breast Service B", kind=Team.Kind.BREAST)
    user = UserFactory(username="mallory", role=Role.BREAST_ONCOSURGEON)
    add_member(other_team, user, lead=True)
    return user


@pytest.fixture
def admin_person(db: None) -> User:
    return UserFactory(username="sam", role=Role.ADMIN, is_staff=True, is_superuser=True)


# --- real services ----------------------------------------------------------------------------


def database_url_for_subprocess() -> str:
    """The URL of the test database this session created, for processes we start."""
    from django.db import connection

    conf = connection.settings_dict
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = f"{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}"
    return f"postgres://{auth}{host}/{conf['NAME']}"


@pytest.fixture(scope="session")
def integration_services(django_db_setup: None) -> dict[str, str]:
    """PostgreSQL and Redis, or a skip (a failure in CI) that says which one is missing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite is in use)")
    if not settings.REDIS_URL:
        require_service("needs Redis: set REDIS_URL=redis://... (the filesystem broker is in use)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        require_service(f"Redis at REDIS_URL is unreachable: {type(exc).__name__}")
    return {"DATABASE_URL": database_url_for_subprocess(), "REDIS_URL": settings.REDIS_URL}


@pytest.fixture(scope="session")
def test_queue(integration_services: dict[str, str]) -> Iterator[str]:
    """A queue of this test session's own, so that parallel runs and stale messages never mix."""
    from tumorboard.celery import app

    name = f"tests-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_default_queue = name
    # Webhook deliveries too (in production they have a queue of their own, "webhooks").
    app.conf.task_routes = {"integrations.tasks.deliver": {"queue": name}}
    _reset_router(app)
    yield name
    app.conf.task_default_queue, app.conf.task_routes = previous
    _reset_router(app)


def _reset_router(app: Any) -> None:
    """Celery builds its router once, from the routes of that moment."""
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


class ServiceProcess:
    """A Celery worker or beat started as its own OS process, as in production."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tumorboard", *self.args],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        return self

    def stop(self, sig: int | None = None) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if sig is None:
            self.proc.terminate()
        else:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def service_env(services: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(services)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def celery_worker_process(
    integration_services: dict[str, str], test_queue: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """A real Celery worker process on Redis and the test database, for the whole session."""
    log_dir = tmp_path_factory.mktemp("celery")
    hostname = f"testworker-{test_queue}@localhost"
    worker = ServiceProcess(
        "worker",
        ["worker", "-Q", test_queue, "--concurrency=2", "--loglevel=INFO",
         f"--hostname={hostname}", "--without-gossip", "--without-mingle"],
        # The webhook tests' receivers listen on loopback: allow-listed as a hospital's engine.
        service_env(integration_services, WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32"),
        log_dir,
    ).start()
    worker.hostname = hostname  # type: ignore[attr-defined]
    from tumorboard.celery import app

    def ready() -> bool:
        replies = app.control.ping(destination=[hostname], timeout=0.5)
        return bool(replies)

    try:
        wait_for(ready, timeout=30, interval=0.5)
    except pytest.fail.Exception:
        worker.stop()
        pytest.fail(f"the Celery worker did not start:\n{worker.log()[-3000:]}", pytrace=False)
    yield worker
    worker.stop()
    shutil.rmtree(log_dir, ignore_errors=True)


# --- cases ----------------------------------------------------------------------------------


@pytest.fixture
def oncologist(mdt_team: Team) -> User:
    """A radiation oncologist who attends the MDT; sees a case only once added to it."""
    user = UserFactory(username="olga", role=Role.RADIATION_ONCOLOGIST)
    add_member(mdt_team, user)
    return user


@pytest.fixture
def care_case(
    breast_surgeon: User, neurosurgeon: User, coordinator: User, breast_team: Team,
    spine_team: Team, mdt_team: Team,
) -> Any:
    """A scorable case of the breast and spine teams, listed for the MDT, with one lesion."""
    from tests.factories import add_lesion, create_case

    case = create_case(actor=breast_surgeon, breast_team=breast_team, spine_team=spine_team,
                       mdt_team=mdt_team)
    add_lesion(case, actor=breast_surgeon)
    case.refresh_from_db()
    return case


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()
