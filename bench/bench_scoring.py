"""Throughput of the scoring core: cases scored per second by ``evaluate()`` on one core.

Usage: ``python bench/bench_scoring.py [--seconds N] [--cases N]``. Builds a deterministic mix of
realistic cases (one to three lesions, KPS or ECOG, receptors or a stated subtype, some with
systemic-therapy data), parses them once, then times ``evaluate()`` over the mix in five runs and
reports the median, per wall-clock second and per second of the process's CPU time (on a
shared machine, the one-core speed). ``evaluate_request()`` (parse + evaluate + to_dict, the
endpoint's whole work) is reported beside it.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.calculators import (  # the path is set just above
    LEVELS,
    RULES_VERSION,
    BoneLesion,
    Collapse,
    MolecularSubtype,
    Pain,
    Posterolateral,
    VisceralMetastases,
    evaluate,
    evaluate_request,
    parse_evaluation_request,
)

RUNS = 5
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def make_case(rng: random.Random) -> dict[str, object]:
    """One request body as a client would send it: mostly breast, some occult primaries."""
    site = _weighted(rng, [("breast", 80), ("unknown", 10), ("lung", 4), ("prostate", 3),
                           ("kidney", 3)])  # fmt: skip
    lesions = []
    used: set[str] = set()
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        start = rng.randrange(len(LEVELS) - 2)
        levels = [lvl.value for lvl in LEVELS[start : start + rng.choice([1, 1, 2, 3])]]
        levels = [level for level in levels if level not in used] or [LEVELS[start].value]
        if levels[0] in used:
            continue
        used.update(levels)
        lesions.append(
            {
                "levels": levels,
                "pain": rng.choice(list(Pain)).value,
                "bone_lesion": rng.choice(list(BoneLesion)).value,
                "alignment": _weighted(rng, [("normal", 7), ("deformity", 2), ("subluxation", 1)]),
                "collapse": rng.choice(list(Collapse)).value,
                "posterolateral": rng.choice(list(Posterolateral)).value,
                "bilsky": _weighted(
                    rng, [("0", 4), ("1a", 2), ("1b", 2), ("1c", 1), ("2", 1), ("3", 1)]
                ),
                "progressed_within_6_weeks": rng.random() < 0.1,
                "progressed_after_radiation": rng.random() < 0.05,
            }
        )
    distinct = len({level for lesion in lesions for level in lesion["levels"]})  # type: ignore[attr-defined]
    patient: dict[str, object] = {
        "primary_site": site,
        "frankel": _weighted(rng, [("E", 8), ("D", 2), ("C", 1), ("B", 1), ("A", 1)]),
        "extraspinal_bone_metastases": rng.choice([0, 0, 1, 2, 3, 5]),
        "vertebral_metastases": distinct + rng.choice([0, 0, 1, 3]),
        "visceral_metastases": rng.choice(list(VisceralMetastases)).value,
        "new_patient": rng.random() < 0.3,
        "new_or_progressive_back_pain": rng.random() < 0.5,
    }
    if rng.random() < 0.7:
        patient["kps"] = rng.choice(range(30, 101, 10))
    else:
        patient["ecog"] = rng.randrange(5)
    if site in ("breast", "unknown") and rng.random() < 0.8:
        if rng.random() < 0.6:
            her2 = rng.random() < 0.2
            hr = rng.random() < 0.75
            patient["receptors"] = {"er": hr, "pr": hr and rng.random() < 0.8, "her2": her2,
                                    "ki67": rng.choice([5, 12, 18, 25, 40])}  # fmt: skip
        else:
            patient["subtype"] = rng.choice(list(MolecularSubtype)).value
    if rng.random() < 0.4:
        patient["ambulatory"] = rng.random() < 0.7
        patient["albumin_g_dl"] = round(rng.uniform(2.5, 4.8), 1)
    if rng.random() < 0.3:
        patient["anc_per_mm3"] = rng.choice([900, 1400, 1500, 2200, 4000])
        patient["cdk46_inhibitor"] = rng.random() < 0.4
        patient["bone_modifying_agent"] = rng.choice(["zoledronic_acid", "denosumab"])
        patient["bone_agent_last_dose"] = (
            date(2026, 3, 1) - timedelta(days=rng.randrange(60))
        ).isoformat()
        if rng.random() < 0.5:
            patient["planned_surgery_date"] = "2026-03-10"
    return {"patient": patient, "lesions": lesions}


def _rate(work: Callable[[], int], seconds: float) -> tuple[float, float]:
    """Cases per second of ``work`` (scores a batch, returns its size) over ``seconds``: per
    wall-clock second and per second of this process's CPU time. On a shared machine the CPU
    figure is the one-core speed (the wall-clock one also counts the time other processes held
    the core)."""
    done = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        done += work()
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start), done / max(1e-9, time.process_time() - cpu_start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each of 5 runs")
    parser.add_argument("--cases", type=int, default=1000, help="distinct cases in the mix")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args()

    rng = random.Random(20260301)
    bodies = [make_case(rng) for _ in range(args.cases)]
    inputs = [parse_evaluation_request(body) for body in bodies]
    # Every case of the mix must score: a case refused early would flatter the figure.
    results = [evaluate(inp, now=NOW) for inp in inputs]
    urgencies = Counter(str(result.urgency) for result in results)
    pathways = Counter(result.noms.pathway.value for result in results)

    def score_all() -> int:
        for inp in inputs:
            evaluate(inp, now=NOW)
        return len(inputs)

    def request_all() -> int:
        for body in bodies:
            evaluate_request(body, now=NOW)
        return len(bodies)

    _rate(score_all, min(args.seconds, 0.3))  # warm-up
    evaluate_rates = [_rate(score_all, args.seconds) for _ in range(RUNS)]
    request_rates = [_rate(request_all, args.seconds) for _ in range(RUNS)]
    rate = statistics.median(wall for wall, _cpu in evaluate_rates)
    request_rate = statistics.median(wall for wall, _cpu in request_rates)
    cpu_rate = statistics.median(cpu for _wall, cpu in evaluate_rates)
    cpu_request_rate = statistics.median(cpu for _wall, cpu in request_rates)

    if args.json:
        print(json.dumps({"evaluate_per_s": rate, "evaluate_request_per_s": request_rate,
                          "evaluate_per_cpu_s": cpu_rate,
                          "evaluate_request_per_cpu_s": cpu_request_rate,
                          "runs": RUNS, "seconds": args.seconds, "cases": len(bodies),
                          "urgency_mix": dict(urgencies)}))
        return
    print(f"machine: {platform.machine()} {platform.processor() or ''} {platform.platform()}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    print(f"rules version: {RULES_VERSION}; cases in the mix: {len(bodies)}; runs: {RUNS} x "
          f"{args.seconds:g} s; one core")  # fmt: skip
    print(f"mix: urgency {dict(urgencies)}; pathways {dict(pathways)}")
    print(f"evaluate():         {rate:>10,.0f} cases/s  ({1e6 / rate:.1f} us per case, median); "
          f"{cpu_rate:,.0f} per CPU second")
    print(
        f"evaluate_request(): {request_rate:>9,.0f} cases/s  ({1e6 / request_rate:.1f} us per "
        f"case: parse + evaluate + to_dict); {cpu_request_rate:,.0f} per CPU second"
    )


if __name__ == "__main__":
    main()
