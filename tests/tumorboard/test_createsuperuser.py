"""`manage.py createsuperuser`, the first-install step of deploy/README.md: it works at a terminal
and with --noinput, the person it makes is an administrator, and nothing secret is printed."""

from __future__ import annotations

import builtins
import io
from typing import Any

import pytest
from django.contrib.auth.management.commands import createsuperuser
from django.core.management import call_command

from tumorboard.models import User
from tumorboard.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "Ward-7-night-shift-kettle"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _assert_no_secret(text: str, user: User) -> None:
    assert PASSWORD not in text
    assert user.password not in text
    assert user.password.split("$")[-1] not in text  # not even the digest part of the hash


def test_createsuperuser_at_a_terminal_makes_an_administrator(monkeypatch: Any) -> None:
    answers = iter(["root", "root@hospital.example"])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    call_command("createsuperuser", interactive=True, stdin=_Terminal(), stdout=out, stderr=err)
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    assert "Superuser created successfully" in out.getvalue()
    _assert_no_secret(out.getvalue() + err.getvalue(), user)


def test_createsuperuser_noinput_takes_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@hospital.example")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    call_command("createsuperuser", interactive=False, stdout=out, stderr=err)
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN and user.is_superuser and user.check_password(PASSWORD)
    _assert_no_secret(out.getvalue() + err.getvalue(), user)


def test_a_superuser_given_another_role_keeps_it() -> None:
    # create_superuser only supplies the default; an explicit role (a clinician who also
    # administers) is kept.
    user = User.objects.create_superuser("lead", "lead@hospital.example", PASSWORD,
                                         role=Role.COORDINATOR)
    assert user.role == Role.COORDINATOR
