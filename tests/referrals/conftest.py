"""Referral fixtures: a spine team with a lead (bob), a second neurosurgeon (dave) and a
radiation oncologist (erin), so that every escalation step has someone to reach."""

from __future__ import annotations

from typing import Any

import pytest

from referrals.models import Referral
from tests.factories import UserFactory, add_member
from tumorboard.models import Team, User
from tumorboard.roles import Role


@pytest.fixture
def erin(spine_team: Team) -> User:
    user = UserFactory(username="erin", role=Role.RADIATION_ONCOLOGIST)
    add_member(spine_team, user)
    return user


@pytest.fixture
def referral(dave: User, erin: User, care_case: Any) -> Referral:
    """The breast-to-neuro referral that care_case's lesion (SINS 9, Bilsky 1b) raised: green."""
    return Referral.objects.get(case=care_case, direction="breast_to_neuro")


def act(referral: Referral, action: str, actor: User, text: str = "x") -> Referral:
    from referrals import services
    from referrals.views import ACTION_TEXT

    kwargs = {ACTION_TEXT[action]: text} if action in ACTION_TEXT else {}  # type: ignore[index]
    return services.ACTION_SERVICES[action](referral=referral, actor=actor, **kwargs)  # type: ignore[index]
