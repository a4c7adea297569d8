"""The people: institutions, users with a role, and the teams that group them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from .roles import Role, is_clinician


class Institution(models.Model):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_superuser(self, username: str, email: str | None = None,
                         password: str | None = None, **extra_fields: Any) -> User:
        """``manage.py createsuperuser`` (interactive or ``--noinput``) makes an administrator:
        the role is required (``user_role_valid``), and the command never asks for it."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # The user's own time zone for dates shown on pages; the server stores UTC.
    time_zone = models.CharField(max_length=64, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_clinician(self) -> bool:
        """An active clinician (tumorboard.roles.is_clinician, the one test)."""
        return is_clinician(self)


class TeamKind(models.TextChoices):
    BREAST = "breast", "Breast oncology service"
    SPINE = "spine", "Spine service"
    MDT = "mdt", "Multidisciplinary tumor board"
    # The radiation oncologists who receive radiotherapy referrals (CLINICAL.md §15-§16).
    RADIATION = "radiation", "Radiation oncology service"


class Team(models.Model):
    Kind = TeamKind

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    members: models.ManyToManyField[User, TeamMembership] = models.ManyToManyField(
        User, through="TeamMembership", related_name="teams"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="team_name_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=TeamKind.values), name="team_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    # The lead is the escalation step after the rest of the team.
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(is_lead=True), name="membership_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class WorkerHeartbeat(models.Model):
    """Last time a Celery worker ran the beat-driven heartbeat task (read by /health/)."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class TaskProbe(models.Model):
    """A task sent by an operator from the web process, to prove a worker executes it."""

    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"probe {self.pk}"
