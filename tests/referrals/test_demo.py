"""The demo referrals: every stage has an example, and seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from referrals.models import Alert, OccultWorkupItem, Referral, ReferralEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_has_referrals_in_several_states_and_is_idempotent() -> None:
    call_command("seed_demo", verbosity=0)
    first = (Referral.objects.count(), ReferralEvent.objects.count(), Alert.objects.count(),
             OccultWorkupItem.objects.exclude(done_at=None).count())
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"sent", "info_requested", "listed_for_mdt", "closed"} <= statuses
    assert Referral.objects.filter(direction="neuro_to_breast").exists()
    assert first[3] == 2
    call_command("seed_demo", verbosity=0)
    assert (Referral.objects.count(), ReferralEvent.objects.count(), Alert.objects.count(),
            OccultWorkupItem.objects.exclude(done_at=None).count()) == first
