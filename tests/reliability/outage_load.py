"""Raise referrals for a while: ``python -m tests.reliability.outage_load --seconds N``.

Every ``--interval`` seconds for ``--seconds`` (or until the file ``--stop-file`` names exists,
so that a test ends the load on a condition rather than after a guessed time): a new case of
alice's teams with a SINS-7 lesion, which raises a breast-to-neuro referral and publishes its
alerts on commit (through whatever broker REDIS_URL names, up or down; or not at all with
``--unpublished``). Prints one line per committed referral id.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--stop-file", help="stop (exit 0) once this file exists")
    parser.add_argument("--unpublished", action="store_true",
                        help="publish no delivery: only the outbox scan can send the alerts")
    parser.add_argument("--escalation-due", action="store_true",
                        help="make each referral's escalation due at once")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
    import django

    django.setup()
    from django.utils import timezone

    from referrals import services
    from referrals.models import Referral
    from tests.factories import PatientFactory, add_lesion, create_case
    from tumorboard.models import Team, User

    alice = User.objects.get(username="alice")
    teams = {"breast_team": Team.objects.get(name="Breast Service A"),
             "spine_team": Team.objects.get(name="Spine Service A"),
             "mdt_team": Team.objects.get(name="Spine MDT")}
    if args.unpublished:
        services._enqueue = lambda ids: None  # type: ignore[assignment]
    deadline = time.monotonic() + args.seconds
    stop = Path(args.stop_file) if args.stop_file else None
    while time.monotonic() < deadline and not (stop and stop.exists()):
        patient = PatientFactory(institution=alice.institution, mrn=f"L{uuid.uuid4().hex[:12]}")
        case = create_case(actor=alice, patient=patient, **teams)
        add_lesion(case, actor=alice)  # one transaction; the alerts are published on commit
        referral = Referral.objects.get(case=case)
        if args.escalation_due:
            Referral.objects.filter(pk=referral.pk).update(
                escalation_due_at=timezone.now() - timedelta(seconds=1))
        print(referral.pk, flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
