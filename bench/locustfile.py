"""The load generator of bench/run: one endpoint per locust run, bounded in time and requests.

Configured by the environment (bench/run sets it): BENCH_NAME (the endpoint's name),
BENCH_PATHS (JSON list of paths, requested at random), BENCH_COOKIE_NAME / BENCH_SESSION (the
session of the endpoint's persona), BENCH_MAX_REQUESTS and BENCH_DURATION (stop after so many
requests or so many seconds from the first response, whichever comes first), BENCH_WARMUP
(seconds of responses left out at the start) and BENCH_TIMES (a JSON file that receives every
response time, in ms, and the length of the measured window). Anything but a 200 counts as a
failure (redirects are not followed: a lost session shows as a 302, not as the login page).

With BENCH_MIXED (the JSON of ``bench.probe paths``) it is instead the mixed workload of a
hospital network's day (bench/run's "clinicians served"): breast oncosurgeons on their home, the
case list and case pages; neurosurgeons on the triage queue and case pages; coordinators on
their home and the agenda; integration-shaped clients polling ``updated_since``. Every
response counts (BENCH_NAME is "mixed"), and every non-200 is counted as an error.
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

import gevent
from locust import HttpUser, constant, events, task

NAME = os.environ.get("BENCH_NAME", "endpoint")
PATHS: list[str] = json.loads(os.environ.get("BENCH_PATHS", '["/api/v1/ping/"]'))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "0"))
DURATION = float(os.environ.get("BENCH_DURATION", "0"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "0"))
STOPPING: list[bool] = []
STARTED: list[float] = []
TIMES: list[float] = []
WINDOW: list[float] = []
_ENV: Any = None


@events.init.add_listener
def _init(environment: Any, **_: Any) -> None:
    global _ENV
    _ENV = environment


MIXED: dict[str, Any] | None = (json.loads(os.environ["BENCH_MIXED"])
                                if os.environ.get("BENCH_MIXED") else None)
ERRORS: list[int] = []


@events.request.add_listener
def _count(name: str, response_time: float, exception: Any, **_: Any) -> None:
    if MIXED is not None:
        if exception is not None:
            ERRORS.append(1)
            return
        name = NAME
    if name != NAME or exception is not None:
        return
    now = time.monotonic()
    if not STARTED:
        STARTED.append(now)
    if now - STARTED[0] < WARMUP:
        return  # each gunicorn worker's first requests (imports, caches) are not the figure
    if not WINDOW:
        WINDOW.extend([now - response_time / 1000, now])
    WINDOW[1] = now
    TIMES.append(response_time)
    done = len(TIMES) >= MAX_REQUESTS > 0 or WINDOW[1] - WINDOW[0] >= DURATION > 0
    if done and not STOPPING and _ENV is not None and _ENV.runner:
        STOPPING.append(True)
        gevent.spawn(_ENV.runner.quit)


@events.quitting.add_listener
def _write(**_: Any) -> None:
    target = os.environ.get("BENCH_TIMES")
    if target:
        with open(target, "w") as out:
            json.dump({"times_ms": TIMES, "window_s": WINDOW[1] - WINDOW[0] if WINDOW else 0,
                       "errors": len(ERRORS)}, out)


def _get(user: HttpUser, path: str, name: str) -> None:
    with user.client.get(path, name=name, allow_redirects=False,
                         catch_response=True) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


#: The HTML pages of the mixed workload (the others are API and FHIR answers).
PAGES = {"case_list_page", "case_page", "triage_queue", "breast_home", "coordinator_home",
         "meeting_mode"}

if MIXED is not None:
    _P: dict[str, Any] = MIXED

    class _Mixed(HttpUser):
        abstract = True
        wait_time = constant(0)
        endpoints: tuple[str, ...] = ()

        def on_start(self) -> None:
            persona = _P[self.endpoints[0]]
            self.client.cookies.set(_P["cookie_name"], persona["session"])

        def _visit(self, endpoint: str) -> None:
            _get(self, random.choice(_P[endpoint]["paths"]), endpoint)
            if endpoint in PAGES:  # a browser then asks for the bell's number (app.js)
                _get(self, _P["bell"]["paths"][0], "bell")

    class BreastSurgeon(_Mixed):
        weight = 4
        endpoints = ("breast_home", "case_list", "case_list_page", "case_page", "case_detail")

        @task(1)
        def home(self) -> None:
            self._visit("breast_home")

        @task(2)
        def lists(self) -> None:
            self._visit(random.choice(("case_list", "case_list_page")))

        @task(4)
        def case(self) -> None:
            self._visit(random.choice(("case_page", "case_detail")))

    class Neurosurgeon(_Mixed):
        weight = 3
        endpoints = ("triage_queue",)

        @task(2)
        def queue(self) -> None:
            self._visit("triage_queue")

        @task(3)
        def case(self) -> None:
            self._visit("case_page")

    class Coordinator(_Mixed):
        weight = 2
        endpoints = ("coordinator_home", "agenda", "meeting_mode")

        @task(1)
        def home(self) -> None:
            self._visit("coordinator_home")

        @task(2)
        def agenda(self) -> None:
            self._visit("agenda")

        @task(2)
        def meeting(self) -> None:
            self._visit("meeting_mode")

    class IntegrationPoll(_Mixed):
        weight = 1
        endpoints = ("agenda",)  # the coordinator's session stands for a client's token

        @task(2)
        def poll(self) -> None:
            _get(self, "/api/v1/cases/?updated_since=2026-01-01T00:00:00Z", "poll")

        @task(1)
        def fhir(self) -> None:
            # An EHR looking a patient up by MRN (FHIR search), with its own session.
            self.client.cookies.set(_P["cookie_name"], _P["fhir_search"]["session"])
            self._visit("fhir_search")
            self.client.cookies.set(_P["cookie_name"], _P["agenda"]["session"])


class Clinician(HttpUser):
    wait_time = constant(0)
    abstract = MIXED is not None

    def on_start(self) -> None:
        # A session made by Django's login() in bench/probe.py: the same for the baseline and
        # the measured endpoints, and no password hashing inside the measured window.
        self.client.cookies.set(os.environ["BENCH_COOKIE_NAME"], os.environ["BENCH_SESSION"])

    @task
    def endpoint(self) -> None:
        with self.client.get(random.choice(PATHS), name=NAME, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
