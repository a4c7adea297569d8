"""Profiles of the load-tested pages (issue 22: "profile first"), in one process.

``python -m bench.profile_pages [--requests N] [--only name,...] [--html DIR]`` with
DATABASE_URL naming a database made by bench/seed (``bench/run --keep`` leaves one) and
DEBUG off: each endpoint of bench/probe.py through Django's test Client as its persona, after a
warm-up, N requests under pyinstrument; the text tree of each on stdout, the milliseconds per
request and the SQL queries per request beside it. ``--stages cases.selectors.case_status,...``
times those functions and every template instead, with no profiler. What a profile showed and
what it changed is recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--html", help="also write pyinstrument's HTML, one file per endpoint")
    parser.add_argument("--slowest", type=int, default=5, help="slowest queries to print")
    parser.add_argument("--queries-only", action="store_true",
                        help="time and queries of each endpoint, no profile")
    parser.add_argument("--plans", action="store_true",
                        help="PostgreSQL's planning and execution time of the slowest queries")
    parser.add_argument("--width", type=int, default=160, help="characters of each query")
    parser.add_argument("--flat", action="store_true",
                        help="cProfile's functions by their own time instead of the tree")
    parser.add_argument("--restrict", action="append", default=[],
                        help="pstats restrictions (a regular expression, then a count)")
    parser.add_argument("--sort", default="tottime", help="cProfile's sort key (--flat)")
    parser.add_argument("--callers", action="append", default=[],
                        help="print the callers of functions matching this (--flat)")
    parser.add_argument("--stages", default="",
                        help="comma-separated module.function (or module.Class.method) to time, "
                             "with every template; no profiler (implies --queries-only)")
    opts = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from bench.probe import (
        ENDPOINTS,
        _user,
        agenda_item_ids,
        locked_meeting_id,
        visible_case_ids,
        visible_mrns,
    )

    handler = WSGIHandler()
    stages = Stages(opts.stages.split(",") if opts.stages else [])
    opts.queries_only = opts.queries_only or bool(stages.names)

    def get(cookie: str, url: str) -> None:
        """One GET through the WSGI handler, as gunicorn calls it (the test Client's own
        instrumentation, which copies every template context, would be most of a profile)."""
        path, _, query = url.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "HTTP_COOKIE": cookie, "REMOTE_ADDR": "127.0.0.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
                   "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
        status: list[str] = []
        body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {url} answered {status[0]}")

    def plan_times(query: str, params: object) -> str:
        """PostgreSQL's planning and execution time of one SELECT (best of three)."""
        if not query.lstrip().upper().startswith("SELECT"):
            return "(not a SELECT)"
        best = [float("inf"), float("inf")]
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + query, params)
                times = [float(row[0].split(":")[1].split()[0]) for row in cursor.fetchall()
                         if row[0].startswith(("Planning Time", "Execution Time"))]
                best = [min(a, b) for a, b in zip(best, times, strict=True)]
        return f"(plan {best[0]:.2f} ms, run {best[1]:.2f} ms)"

    cases = visible_case_ids()
    meeting = locked_meeting_id()
    items, mrns = agenda_item_ids(meeting), visible_mrns(cases)
    only = {name for name in opts.only.split(",") if name}
    for name, (persona, template) in ENDPOINTS.items():
        if name == "bare" or (only and name not in only):
            continue
        client = Client()
        client.force_login(_user(persona))
        cookie_name = settings.SESSION_COOKIE_NAME
        cookie = f"{cookie_name}={client.cookies[cookie_name].value}"
        urls = [template.format(case=pk, page=1, meeting=meeting, mrn=mrn,
                                item=items[n % len(items)])
                for n, (pk, mrn) in enumerate(zip(cases, mrns, strict=True))][: opts.requests]
        get(cookie, urls[0])  # warm-up
        sql: list[tuple[float, str, object]] = []

        def timed(execute, query, params, many, context, sql=sql):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return execute(query, params, many, context)
            finally:
                sql.append((time.perf_counter() - started, query, params))

        with connection.execute_wrapper(timed):
            get(cookie, urls[-1])
        stages.clear()  # the timed loop's requests only
        profiler = Profiler(interval=0.0005)
        by_function = cProfile.Profile()
        started = time.perf_counter()
        # --queries-only times the requests bare: pyinstrument's hook on every call made the
        # pages look 40-70 % slower than they run (sessions 7 and 8 recorded those figures).
        if opts.flat:
            by_function.enable()
        elif not opts.queries_only:
            profiler.start()
        looped: list[tuple[float, str, object]] = []
        with connection.execute_wrapper(partial(timed, sql=looped)):
            for url in urls:
                get(cookie, url)
        if opts.flat:
            by_function.disable()
        elif not opts.queries_only:
            profiler.stop()
        per_request = (time.perf_counter() - started) * 1000 / len(urls)
        # The first timed request prepares its statements (planning them); the loop's share
        # of SQL is what a warm connection spends.
        in_sql = sum(t for t, *_ in looped) * 1000 / len(urls)
        print(f"\n=== {name} ({persona}): {per_request:.1f} ms a request, {in_sql:.1f} in SQL; "
              f"one request: {len(sql)} queries, {sum(t for t, *_ in sql) * 1000:.1f} ms in SQL "
              "(preparing them) ===")
        warm: dict[str, float] = {}
        for seconds, query, _params in looped:
            warm[query] = warm.get(query, 0.0) + seconds / len(urls)
        for seconds, query, params in sorted(sql, key=lambda row: -row[0])[:opts.slowest]:
            seconds = warm.get(query, seconds)  # a warm connection's time, where it ran
            planned = plan_times(query, params) if opts.plans else ""
            print(f"  {seconds * 1000:7.2f} ms {planned} {query[:opts.width]}")
        stages.report(len(urls))
        if opts.queries_only:
            continue
        if opts.flat:
            stats = pstats.Stats(by_function, stream=sys.stdout).sort_stats(opts.sort)
            stats.print_stats(*[int(r) if r.isdigit() else r for r in opts.restrict or ["30"]])
            for name in opts.callers:
                stats.print_callers(name)
            continue
        print(profiler.output_text(unicode=False, color=False, time="percent_of_total"))
        if opts.html:
            Path(opts.html).mkdir(parents=True, exist_ok=True)
            Path(opts.html, f"{name}.html").write_text(profiler.output_html())
    return 0


class Stages:
    """Inclusive time a request of named functions and of every template rendered (issue 22,
    session 10: a wrapper costs microseconds where a profiler's hook on every call made the
    pages look 40-70 % slower). ``module.function`` or ``module.Class.method``; a name looked
    up through its module at call time, as views call selectors, is the one wrapped."""

    def __init__(self, names: list[str]) -> None:
        import importlib
        from collections import Counter, defaultdict

        self.names = names
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        for dotted in names:
            module, _, attr = dotted.rpartition(".")
            try:
                owner: object = importlib.import_module(module)
            except ModuleNotFoundError:
                module, _, cls = module.rpartition(".")
                owner = getattr(importlib.import_module(module), cls)
            setattr(owner, attr, self._timed(getattr(owner, attr), dotted))
        if names:
            from django.template import base

            render = base.Template.render

            def template(template: base.Template, context: object) -> object:
                started = time.perf_counter()
                try:
                    return render(template, context)  # type: ignore[arg-type]
                finally:
                    key = f"template {template.origin.template_name}"
                    self.seconds[key] += time.perf_counter() - started
                    self.calls[key] += 1

            base.Template.render = template  # type: ignore[method-assign,assignment]

    def _timed(self, function: Any, key: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1
        return timed

    def clear(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def report(self, requests: int) -> None:
        for key, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            print(f"  {seconds * 1000 / requests:7.2f} ms  x{self.calls[key] / requests:5.1f}  "
                  f"{key}")


if __name__ == "__main__":
    sys.exit(main())
