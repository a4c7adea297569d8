"""python manage.py seed_demo: idempotent demo data for every part of the service (this app
sits above every other, so it may call each app's own seeding)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cases.demo import seed_cases
from cases.demo_systemic import seed_systemic
from followthrough.demo import seed_follow_through
from integrations.demo import seed_integration_client
from meetings.demo import seed_meetings
from referrals.demo import seed_radiotherapy, seed_referrals
from tumorboard.demo import PEOPLE, seed_people


class Command(BaseCommand):
    help = "Create or refresh the demo institution, teams, logins and synthetic patients."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            people = seed_people()
            patients = seed_cases(people)
            referrals = seed_referrals(people)
            meetings = seed_meetings(people)
            # Systemic therapy episodes and labs, then radiotherapy referrals and a plan
            # (CLINICAL.md §16), after the meetings whose decisions resolve open referrals.
            seed_systemic(people)
            seed_radiotherapy(people)
            tasks = seed_follow_through(people)
            client, token = seed_integration_client(people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(people.users)} logins, {len(people.teams)} teams, "
                f"{patients} synthetic patients, {referrals} referrals, {meetings} meetings, "
                f"{tasks} follow-through tasks."
            )
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
            for username, first, last, role, _teams in PEOPLE:
                self.stdout.write(f"  {username:<12} {role.label:<22} {first} {last}")
            # A token is shown once: each seeding revokes the last demo token and prints a new one.
            self.stdout.write(f"Demo hospital system {client.username} (API only), token: {token}")
            self.stdout.write("CDS Hooks demo card: python manage.py cds_demo_request")
