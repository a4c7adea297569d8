"""Seed a throwaway database: ``python -m tests.reliability.outage_seed --cases N``.

Creates the teams, a breast oncosurgeon (alice) and a neurosurgeon (bob) and ``--cases`` open
cases without lesions, through the services (so permissions, events and audit rows are real),
then prints JSON: the case ids and a logged-in session of alice (cookie values) for the load.
"""

from __future__ import annotations

import argparse
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--escalation-team", action="store_true",
                        help="dave and erin in the spine team, carol coordinating the MDT")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings")
    import django

    django.setup()
    from django.test import Client

    from tests.factories import TeamFactory, UserFactory, add_member, create_case
    from tumorboard.models import Team
    from tumorboard.roles import Role

    teams = {
        "breast_team": TeamFactory(name="Breast Service A", kind=Team.Kind.BREAST),
        "spine_team": TeamFactory(name="Spine Service A", kind=Team.Kind.SPINE),
        "mdt_team": TeamFactory(name="Spine MDT", kind=Team.Kind.MDT),
    }
    alice = UserFactory(username="alice", role=Role.BREAST_ONCOSURGEON)
    add_member(teams["breast_team"], alice, lead=True)
    bob = UserFactory(username="bob", role=Role.NEUROSURGEON)
    add_member(teams["spine_team"], bob, lead=True)
    if args.escalation_team:
        for name, role in (("dave", Role.NEUROSURGEON), ("erin", Role.RADIATION_ONCOLOGIST)):
            add_member(teams["spine_team"], UserFactory(username=name, role=role))
        add_member(teams["mdt_team"], UserFactory(username="carol", role=Role.COORDINATOR),
                   lead=True)
    case_ids = [create_case(actor=alice, **teams).pk for _ in range(args.cases)]
    client = Client()
    client.force_login(alice)
    print(json.dumps({"case_ids": case_ids, "sessionid": client.cookies["sessionid"].value}))


if __name__ == "__main__":
    main()
