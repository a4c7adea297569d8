"""The benchmark run (``bench/run``): every figure of issue 10, at every size, in one command.

For each size: a synthetic hospital in a throwaway PostgreSQL database (bench/seed), the
production stack on loopback (gunicorn with deploy/gunicorn.conf.py and DEBUG off, a real Celery
worker on Redis, no beat: the escalation probe runs the scan itself), then

1. the load test: locust, one endpoint at a time, in rounds, each endpoint's figures as ratios to
   the do-nothing ``/api/v1/ping/`` of the same round (same server, same session login);
2. SQL queries per request (Django test Client, bench/probe.py);
3. agenda population, the packet (30 and 120 cases), alert latency, the escalation pass.

The scoring core is measured once (it reads no rows). Results: a JSON file (``--out``) and a
Markdown summary on stdout. Exits non-zero when anything breaks (a failed request, a probe, a
process that died), never because of a timing figure.

PostgreSQL: the server of DATABASE_URL (CI's), default postgres://postgres@127.0.0.1:5432; the
databases are ``tb_bench_<size>_<process id>`` (two runs on one server never share one),
dropped at the end (``--keep`` keeps them). Redis: REDIS_URL, default redis://127.0.0.1:6379/10,
with a queue of the run's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import DEFAULT_REDIS, database_urls, drop_database, log  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENDPOINTS = ("bare", "ping", "case_list", "case_list_page", "case_detail", "case_page",
             "triage_queue", "breast_home", "coordinator_home", "agenda", "meeting_mode",
             "fhir_search", "bell")


class BenchFailure(Exception):
    pass


class Progress:
    """A plain progress bar on stderr, one line per step (readable in CI logs too)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        width = 30
        filled = round(width * min(self.done, self.total) / self.total)
        elapsed = time.monotonic() - self.started
        log(f"[{'#' * filled}{'.' * (width - filled)}] {self.done:>3}/{self.total} "
            f"{elapsed:6.0f} s  {label}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_json(args: list[str], env: dict[str, str], timeout: float, what: str) -> Any:
    result = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        raise BenchFailure(f"{what} failed (exit {result.returncode}):\n"
                           f"{(result.stdout + result.stderr)[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Stack:
    """gunicorn and a Celery worker, each in its own process group, logs in ``logs``."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str]) -> None:
        out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise BenchFailure(f"stopped unexpectedly: {dead}; logs in {self.logs}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


def wait_for(what: str, predicate: Callable[[], bool], timeout: float, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        stack.check_alive()
        if time.monotonic() > deadline:
            raise BenchFailure(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.3)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return bool(response.status == 200)
    except OSError:
        return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_phase(name: str, spec: dict[str, Any], cookie_name: str, base: str,
               env: dict[str, str], tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    """One locust run against one endpoint: rps, p50/p95/p99 (ms), from every response time."""
    times_file = tmp / f"times-{name}-{secrets.token_hex(3)}.json"
    phase_env = {**env, "BENCH_NAME": name, "BENCH_PATHS": json.dumps(spec["paths"]),
                 "BENCH_COOKIE_NAME": cookie_name, "BENCH_SESSION": spec["session"],
                 "BENCH_MAX_REQUESTS": str(opts.max_requests),
                 "BENCH_DURATION": str(opts.duration), "BENCH_WARMUP": str(opts.warmup),
                 "BENCH_TIMES": str(times_file)}
    command = [str(BIN / "locust"), "-f", str(BASE_DIR / "bench" / "locustfile.py"),
               "--headless", "-u", str(opts.users), "-r", str(opts.users),
               "--run-time", f"{opts.warmup + opts.duration + 30}s", "--host", base,
               "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
    result = subprocess.run(command, cwd=BASE_DIR, env=phase_env, capture_output=True,
                            text=True, timeout=opts.warmup + opts.duration + 90, check=False)
    if result.returncode != 0 or not times_file.exists():
        raise BenchFailure(f"locust on {name} failed (exit {result.returncode}):\n"
                           f"{(result.stdout + result.stderr)[-3000:]}")
    data = json.loads(times_file.read_text())
    times = data["times_ms"]
    if not times:
        raise BenchFailure(f"locust on {name}: no request answered")
    return {"requests": len(times), "rps": len(times) / data["window_s"],
            "p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99)}


def load_test(paths: dict[str, Any], base: str, env: dict[str, str], tmp: Path,
              opts: argparse.Namespace, progress: Progress, size: int,
              bare_base: str) -> dict[str, Any]:
    """Rounds of every endpoint in turn; per endpoint, the medians over rounds of each figure
    and of its ratio to the ping of the same round."""
    rounds: list[dict[str, dict[str, Any]]] = []
    for number in range(opts.rounds):
        current = {}
        for name in ENDPOINTS:
            current[name] = load_phase(name, paths[name], paths["cookie_name"],
                                       bare_base if name == "bare" else base, env, tmp, opts)
            progress.step(f"{size:,} cases: load round {number + 1}/{opts.rounds}: {name} "
                          f"p95 {current[name]['p95']:.1f} ms, {current[name]['rps']:.0f}/s")
        rounds.append(current)
    out: dict[str, Any] = {}
    for name in ENDPOINTS:
        rows = [r[name] for r in rounds]
        figures = {key: statistics.median(row[key] for row in rows)
                   for key in ("rps", "p50", "p95", "p99")}
        ratios = {f"{key}_ratio": statistics.median(
            (row[key] / r["ping"][key]) if key != "rps" else (r["ping"]["rps"] / row["rps"])
            for row, r in zip(rows, rounds, strict=True)) for key in ("rps", "p50", "p95", "p99")}
        out[name] = {**figures, **ratios, "requests": sum(row["requests"] for row in rows),
                     "rounds": rows}
    return out


def capacity(paths: dict[str, Any], base: str, env: dict[str, str], tmp: Path,
             opts: argparse.Namespace) -> dict[str, Any]:
    """The mixed workload of a hospital network's day (bench/locustfile.py, ``BENCH_MIXED``)
    at each user count of ``--capacity``: clinicians served is the highest sustained request
    rate of a step whose p95 stays under 300 ms with no error."""
    steps = []
    for users in opts.capacity:
        times_file = tmp / f"mixed-{users}-{secrets.token_hex(3)}.json"
        step_env = {**env, "BENCH_MIXED": json.dumps(paths), "BENCH_NAME": "mixed",
                    "BENCH_DURATION": str(opts.capacity_seconds), "BENCH_WARMUP": "2",
                    "BENCH_MAX_REQUESTS": "0", "BENCH_TIMES": str(times_file)}
        command = [str(BIN / "locust"), "-f", str(BASE_DIR / "bench" / "locustfile.py"),
                   "--headless", "-u", str(users), "-r", str(users),
                   "--run-time", f"{opts.capacity_seconds + 32}s", "--host", base,
                   "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
        result = subprocess.run(command, cwd=BASE_DIR, env=step_env, capture_output=True,
                                text=True, timeout=opts.capacity_seconds + 120, check=False)
        if not times_file.exists():
            raise BenchFailure(f"mixed workload at {users} users failed:\n"
                               f"{(result.stdout + result.stderr)[-3000:]}")
        data = json.loads(times_file.read_text())
        times = data["times_ms"]
        step = {"users": users, "requests": len(times), "errors": data.get("errors", 0),
                "rps": len(times) / data["window_s"] if data["window_s"] else 0.0,
                "p95": percentile(times, 0.95) if times else None}
        steps.append(step)
        if step["errors"] or not times or step["p95"] > 300:
            break  # past the knee: more users only queue
    good = [s for s in steps if not s["errors"] and s["p95"] is not None and s["p95"] <= 300]
    best = max(good, key=lambda s: s["rps"], default=None)
    return {"steps": steps, "served_rps": best["rps"] if best else 0.0,
            "served_users": best["users"] if best else 0}


def measure_size(size: int, opts: argparse.Namespace, redis_url: str, tmp: Path,
                 progress: Progress) -> dict[str, Any]:
    name = f"tb_bench_{size}_{os.getpid()}"
    _server, database_url = database_urls(name)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "SECURE_", "GUNICORN_", "LOG_", "BENCH_"))
           and k not in {"DEBUG", "SECRET_KEY", "AUDIT_HMAC_KEY", "STATIC_MANIFEST", "EMAIL_URL",
                         "CELERY_TASK_DEFAULT_QUEUE", "FORWARDED_ALLOW_IPS"}}
    port, bare_port = free_port(), free_port()
    base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    queue = f"bench-{secrets.token_hex(4)}"
    var = tmp / f"var-{size}"
    env.update(
        DJANGO_SETTINGS_MODULE="tumorboard.settings",
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database_url,
        AUDIT_HMAC_KEY=secrets.token_urlsafe(50),
        REDIS_URL=redis_url, ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CSRF_TRUSTED_ORIGINS=base, SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false",
        SERVICE_BASE_URL=base, FHIR_CANONICAL_BASE=f"{base}/api/v1/fhir",
        TUMORBOARD_VAR_DIR=str(var), MEDIA_ROOT=str(var / "media"), EMAIL_URL="filemail://",
        CELERY_TASK_DEFAULT_QUEUE=queue, GUNICORN_BIND=f"127.0.0.1:{port}",
        PYTHONUNBUFFERED="1", BENCH_SERVER_URL=_server,
        # Plain static storage: no collectstatic (minutes on a busy machine) for pages whose
        # only use of it is a {% static %} link; the endpoints measured are the same.
        STATIC_MANIFEST="false",
        # Four locust users of one persona send thousands of requests a minute: the per-token
        # rate limit (production's guard) would answer 429 to the load being measured.
        API_THROTTLE_RATE="off",
    )
    result: dict[str, Any] = {"cases": size, "database": name}
    started = time.monotonic()
    seed_file = tmp / f"seed-{size}.json"
    seeded = subprocess.run([PYTHON, "-m", "bench.hospital", "--cases", str(size), "--database",
                             name, "--json", str(seed_file), "--profile", opts.profile],
                            cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=3600, check=False)
    if seeded.returncode != 0:
        raise BenchFailure(f"seed failed:\n{(seeded.stdout + seeded.stderr)[-3000:]}")
    info = json.loads(seed_file.read_text())
    result["seed"] = {k: info[k] for k in ("rows", "seed_seconds", "migrate_seconds")}
    progress.step(f"{size:,} cases: seeded {name} in {info['seed_seconds']} s "
                  f"(migrate {info['migrate_seconds']} s)")
    stack = Stack(env, tmp)
    try:
        stack.start(f"web-{size}", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"])
        # The server's own floor: the same gunicorn settings, a WSGI answer without Django.
        stack.start(f"bare-{size}", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                     "-b", f"127.0.0.1:{bare_port}",
                                     "bench.bare_wsgi:application"])
        stack.start(f"worker-{size}", [PYTHON, "-m", "celery", "-A", "tumorboard", "worker",
                                       "--loglevel=INFO", "--concurrency=2", "-O", "fair",
                                       "--without-gossip", "--without-mingle",
                                       f"--hostname=bench-{os.getpid()}-{size}@%h"])
        wait_for("gunicorn", lambda: _http_ok(f"{base}/login/"), 60, stack)
        wait_for("the bare gunicorn", lambda: _http_ok(f"{bare_base}/"), 60, stack)
        wait_for("the worker", lambda: "ready." in (tmp / f"worker-{size}.log").read_text(
            errors="replace"), 60, stack)
        progress.step(f"{size:,} cases: gunicorn and the worker are up")
        paths = run_json([PYTHON, "-m", "bench.probe", "paths"], env, 120, "paths")
        result["queries"] = run_json([PYTHON, "-m", "bench.probe", "queries"], env, 300,
                                     "queries")
        progress.step(f"{size:,} cases: SQL queries per request {result['queries']}")
        result["load"] = load_test(paths, base, env, tmp, opts, progress, size, bare_base)
        stack.check_alive()
        if opts.capacity:
            result["capacity"] = capacity(paths, base, env, tmp, opts)
            progress.step(f"{size:,} cases: clinicians served "
                          f"{result['capacity']['served_rps']:.0f} requests/s")
        result["agenda"] = run_json([PYTHON, "-m", "bench.probe", "agenda", "--repeats",
                                     str(opts.repeats)], env, 600, "agenda")
        progress.step(f"{size:,} cases: agenda population {result['agenda']['median_s']:.3f} s")
        result["meeting_mode"] = run_json([PYTHON, "-m", "bench.probe", "meeting_mode",
                                           "--repeats", str(opts.repeats)], env, 300,
                                          "meeting_mode")
        progress.step(f"{size:,} cases: meeting mode {result['meeting_mode']}")
        result["packet"] = {}
        for cases in opts.packets:
            packet = run_json([PYTHON, "-m", "bench.probe", "packet", "--cases", str(cases),
                               "--repeats", str(opts.packet_repeats)], env, 1800, "packet")
            result["packet"][str(cases)] = packet
            progress.step(f"{size:,} cases: packet of {cases}: {packet['median_ours_s']:.2f} s, "
                          f"x{packet['overhead_ratio']:.2f} WeasyPrint, "
                          f"{packet['peak_rss_mb']} MB")
        stack.check_alive()
        result["alerts"] = run_json([PYTHON, "-m", "bench.probe", "alerts", "--count",
                                     str(opts.alerts)], env, 600, "alerts")
        progress.step(f"{size:,} cases: alert p95 {result['alerts']['p95_s']:.3f} s")
        result["escalation"] = run_json([PYTHON, "-m", "bench.probe", "escalation",
                                         "--repeats", str(opts.repeats)], env, 1800,
                                        "escalation")
        progress.step(f"{size:,} cases: escalation pass {result['escalation']['pass_s']:.2f} s "
                      f"over {result['escalation']['due']} due")
        stack.check_alive()
    finally:
        stack.stop()
        _drop_queue(redis_url, queue)
        if not opts.keep:
            drop_database(_server, name)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _drop_queue(redis_url: str, queue: str) -> None:
    import redis

    with suppress(redis.RedisError):
        redis.Redis.from_url(redis_url, socket_timeout=3).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def scoring(opts: argparse.Namespace) -> dict[str, Any]:
    return run_json([PYTHON, str(BASE_DIR / "bench" / "bench_scoring.py"), "--seconds",
                     str(opts.scoring_seconds), "--json"], dict(os.environ), 600, "scoring")


def _commit() -> str:
    """The commit measured, with "+changes" when the tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty.strip() else "")


def machine() -> dict[str, Any]:
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": _commit(),
            "machine": platform.machine(), "platform": platform.platform(),
            "python": platform.python_version(), "cores": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()]}


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI: 1k cases, one short round, packet of 10 (under 3 minutes)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per locust run")
    parser.add_argument("--warmup", type=float, default=2,
                        help="seconds of each locust run left out at its start")
    parser.add_argument("--users", type=int, default=4, help="concurrent locust users")
    parser.add_argument("--max-requests", type=int, default=5000, help="per locust run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--packets", default="30,120")
    parser.add_argument("--packet-repeats", type=int, default=2)
    parser.add_argument("--alerts", type=int, default=30)
    parser.add_argument("--scoring-seconds", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the databases and the logs")
    parser.add_argument("--profile", choices=("stress", "realistic"), default="stress",
                        help="the hospital's data (bench/hospital.py): one open referral per "
                        "case (stress) or 1-2 %% open with a year of closed history, audit and "
                        "history rows (realistic)")
    parser.add_argument("--capacity", default="2,4,8,16",
                        help="user counts of the mixed workload's steps ('' to skip)")
    parser.add_argument("--capacity-seconds", type=int, default=20,
                        help="seconds per step of the mixed workload")
    parser.add_argument("--out", help="JSON results (default var/bench/run-<time>.json)")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.sizes, opts.rounds, opts.duration, opts.packets = "1000", 1, 4, "10"
        opts.warmup = 1
        opts.packet_repeats, opts.alerts, opts.repeats, opts.scoring_seconds = 1, 10, 3, 0.3
        opts.capacity, opts.capacity_seconds = "4", 5
    opts.sizes = [int(s) for s in str(opts.sizes).split(",")]
    opts.packets = [int(s) for s in str(opts.packets).split(",")]
    opts.capacity = [int(s) for s in str(opts.capacity).split(",") if s.strip()]
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = options(argv)
    # Per size: seeded, up, queries, agenda population, meeting mode, alerts, escalation.
    steps = 1 + len(opts.sizes) * (7 + len(opts.packets) + opts.rounds * len(ENDPOINTS)
                                   + bool(opts.capacity))
    progress = Progress(steps)
    tmp = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    results: dict[str, Any] = {"machine": machine(), "options": {
        k: v for k, v in vars(opts).items() if k not in ("out",)}, "sizes": {}}
    ok = False
    try:
        redis_url = os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS
        results["scoring"] = scoring(opts)
        progress.step(f"scoring core: {results['scoring']['evaluate_per_s']:,.0f} cases/s")
        for size in opts.sizes:
            results["sizes"][str(size)] = measure_size(size, opts, redis_url, tmp, progress)
        ok = True
    except (BenchFailure, subprocess.SubprocessError, OSError) as failure:
        log(f"bench: FAILED: {failure}")
    finally:
        results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        if not ok or opts.keep:
            log(f"bench: logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    out = Path(opts.out) if opts.out else BASE_DIR / "var" / "bench" / (
        f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))
    if ok:
        from bench.report import markdown

        print(markdown(results))
    log(f"bench: {'done' if ok else 'FAILED'} in {time.monotonic() - progress.started:.0f} s; "
        f"results in {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
