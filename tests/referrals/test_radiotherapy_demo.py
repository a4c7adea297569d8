"""The demo data shows the radiation oncologist's work and the systemic therapy episodes
(issue 19): radonc1 has a radiotherapy referral in the queue and a plan with its flags; the
seeded episodes and laboratory values set the earliest safe date of elective surgery."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.models import Case, RadiotherapyPlan, SystemicTherapyEpisode
from cases.systemic import safe_surgery
from referrals.models import TO_RADIATION_ONCOLOGY, Referral

pytestmark = pytest.mark.django_db


def test_radonc1_sees_the_queue_and_the_plans_and_seeding_twice_changes_nothing() -> None:
    call_command("seed_demo", verbosity=0)
    counts = (Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY).count(),
              RadiotherapyPlan.objects.count(), SystemicTherapyEpisode.objects.count())
    assert counts[0] >= 2 and counts[1] == 1 and counts[2] >= 8
    client = Client()
    assert client.login(username="radonc1", password=settings.DEMO_PASSWORD)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home-radonc")
    assert len(response.context["incoming"]) >= 1
    (plan,) = response.context["plans"]
    assert plan.plan.technique == "sbrt" and plan.warnings  # denosumab runs during SBRT
    # DEMO-1004: latest ANC 1,300/mm³: no safe date yet.
    assert safe_surgery(Case.objects.get(patient__mrn="DEMO-1004")).earliest is None
    call_command("seed_demo", verbosity=0)
    assert counts == (Referral.objects.filter(direction=TO_RADIATION_ONCOLOGY).count(),
                      RadiotherapyPlan.objects.count(), SystemicTherapyEpisode.objects.count())
