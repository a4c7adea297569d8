"""``manage.py create_integration_client his-north --team "Riverside Breast Service"``: the user of
another hospital system, the teams whose cases it may read, and a new API token (printed once).

``--token-days`` gives the token a term other than ``API_TOKEN_TTL_DAYS`` (a hospital system's
interface is often reconfigured once a year, not every quarter)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.services import integration_client_save
from integrations.tokens import TokenLimitReached, token_create
from tumorboard.models import Team

# Even a hospital system's token is renewed at least every two years.
MAX_TOKEN_DAYS = 730


class Command(BaseCommand):
    help = "Create or update an integration client, its team grants, and print a new token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", action="append", default=[], required=True,
                            help="name of a team whose cases it reads (repeat for several)")
        parser.add_argument("--token-name", default="integration")
        parser.add_argument("--token-days", type=int, default=None,
                            help="days the new token lives (default API_TOKEN_TTL_DAYS, "
                                 f"at most {MAX_TOKEN_DAYS})")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["token_days"]
        if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
            raise CommandError(f"--token-days: between 1 and {MAX_TOKEN_DAYS}, got {days}")
        teams = []
        for name in options["team"]:
            team = Team.objects.filter(name=name).first()
            if team is None:
                raise CommandError(f"no team named {name!r}")
            teams.append(team)
        user = integration_client_save(username=options["username"], teams=teams)
        try:
            token, raw = token_create(user=user, name=options["token_name"], days=days)
        except TokenLimitReached as error:
            raise CommandError(f"{user.username}: {error}") from None
        self.stdout.write(f"integration client {user.username}: reads {len(teams)} team(s)")
        self.stdout.write(f"token expires {token.expires_at:%Y-%m-%d %H:%M} UTC "
                          f"({days or settings.API_TOKEN_TTL_DAYS} days)")
        self.stdout.write("token (shown once, store it now):")
        self.stdout.write(raw)
