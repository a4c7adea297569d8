"""Demo systemic therapy: dated episodes with holds and laboratory series on the seeded patients
(CLINICAL.md §10, §16). Idempotent: a case that has episodes already is left as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tumorboard.demo import DemoPeople

from . import services
from .models import Case

# mrn -> (actor, episodes (class, drug, started days ago, stopped days ago, last dose days ago,
# holds [(from days ago, to days ago or None, reason)], stop reason), labs {kind: [(days ago,
# value), ...]})
DEMO_SYSTEMIC: dict[str, tuple[str, list[tuple[Any, ...]], dict[str, list[tuple[int, float]]]]] = {
    "DEMO-1001": ("breast1", [
        ("cdk46_inhibitor", "palbociclib", 120, None, None, [], ""),
        ("endocrine", "letrozole", 120, None, None, [], ""),
    ], {"anc": [(60, 2300), (30, 1900), (5, 1700)], "ca15_3": [(60, 31), (5, 29)]}),
    "DEMO-1004": ("medonc1", [
        ("anti_her2", "trastuzumab", 200, None, None, [], ""),
        ("chemotherapy", "paclitaxel", 200, 30, None, [], "12 weekly cycles completed"),
        ("bone_modifying_agent", "denosumab", 300, None, 14,
         [(7, None, "before instrumented spinal surgery")], ""),
    ], {"anc": [(40, 2100), (20, 1600), (2, 1300)],
        "platelets": [(40, 210), (20, 180), (2, 150)],
        "haemoglobin": [(40, 12.1), (20, 11.4), (2, 10.9)],
        "ca15_3": [(40, 38), (20, 52), (2, 71)], "cea": [(40, 4.1), (2, 6.3)],
        "alp": [(40, 110), (2, 160)]}),
    "DEMO-1005": ("breast1", [
        ("cdk46_inhibitor", "ribociclib", 150, None, None,
         [(10, None, "myelosuppression before elective spinal surgery")], ""),
        ("endocrine", "letrozole", 150, None, None, [], ""),
        ("bone_modifying_agent", "zoledronic acid", 400, None, 45, [], ""),
    ], {"anc": [(20, 1400), (3, 3200)], "platelets": [(20, 160), (3, 230)]}),
    "DEMO-1006": ("breast2", [
        ("endocrine", "anastrozole", 365, None, None, [], ""),
        ("bone_modifying_agent", "denosumab", 365, None, 20, [], ""),
    ], {"anc": [(30, 2800), (3, 2600)], "alp": [(30, 180), (3, 140)]}),
}


def seed_systemic(people: DemoPeople) -> int:
    """Episodes and laboratory values on the demo cases; returns the number of cases seeded."""
    today = timezone.localdate()
    seeded = 0
    for mrn, (username, episodes, labs) in DEMO_SYSTEMIC.items():
        case = Case.objects.filter(patient__institution=people.institution,
                                   patient__mrn=mrn).first()
        if case is None or case.therapy_episodes.exists():
            continue
        actor = people.users[username]

        def ago(days: int | None) -> Any:
            return None if days is None else today - timedelta(days=days)

        for therapy_class, drug, started, stopped, last_dose, holds, reason in episodes:
            episode = services.episode_create(
                case=case, actor=actor, therapy_class=therapy_class, drug=drug,
                started_on=ago(started), stopped_on=ago(stopped), last_dose_on=ago(last_dose),
                stop_reason=reason)
            for held_from, held_to, why in holds:
                services.hold_create(case=case, episode=episode, actor=actor,
                                     held_from=ago(held_from), held_to=ago(held_to), reason=why)
        for kind, series in labs.items():
            for days, value in series:
                services.lab_create(case=case, actor=actor, kind=kind, value=value,
                                    taken_on=ago(days))
        seeded += 1
    return seeded
