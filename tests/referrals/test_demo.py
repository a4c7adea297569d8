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
    # History and examination ticked; the CA 15-3 and the mammogram recorded as results tick
    # their items (§17), and a BI-RADS 4 confirms nothing: the work-up stays open.
    assert first[3] == 4
    occult = Referral.objects.get(direction="neuro_to_breast")
    results = {r.kind: r for r in occult.workup_results.all()}
    assert set(results) == {"marker", "breast_imaging"}
    assert results["marker"].value > results["marker"].upper_limit
    assert occult.status not in ("closed", "cancelled")
    call_command("seed_demo", verbosity=0)
    assert (Referral.objects.count(), ReferralEvent.objects.count(), Alert.objects.count(),
            OccultWorkupItem.objects.exclude(done_at=None).count()) == first
