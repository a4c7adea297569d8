"""``manage.py create_integration_client his-north --team "Riverside Breast Service"``: the user of
another hospital system, the teams whose cases it may read, and a new API token (printed once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.services import integration_client_save
from integrations.tokens import token_create
from tumorboard.models import Team


class Command(BaseCommand):
    help = "Create or update an integration client, its team grants, and print a new token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", action="append", default=[], required=True,
                            help="name of a team whose cases it reads (repeat for several)")
        parser.add_argument("--token-name", default="integration")

    def handle(self, *args: Any, **options: Any) -> None:
        teams = []
        for name in options["team"]:
            team = Team.objects.filter(name=name).first()
            if team is None:
                raise CommandError(f"no team named {name!r}")
            teams.append(team)
        user = integration_client_save(username=options["username"], teams=teams)
        _, raw = token_create(user=user, name=options["token_name"])
        self.stdout.write(f"integration client {user.username}: reads {len(teams)} team(s)")
        self.stdout.write("token (shown once, store it now):")
        self.stdout.write(raw)
