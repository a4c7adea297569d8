"""The breast oncosurgeon's home shows the incoming (occult-primary) referrals; in-app alerts name
the patient and the outcome while the e-mail of the same alert keeps ids only (issue 19)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.alerts import alert_message
from referrals.models import Alert, Referral
from tests.factories import add_lesion, create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def occult(neurosurgeon, breast_team, spine_team) -> Referral:
    case = create_case(actor=neurosurgeon, breast_team=breast_team, spine_team=spine_team,
                       primary_status="unknown", er=None, pr=None, her2=None, ki67=None)
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    return Referral.objects.get(case=case, direction="neuro_to_breast")


def test_the_breast_home_lists_the_incoming_occult_primary_referral(client, occult,
                                                                    breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    html = client.get(reverse("home-breast")).content.decode()
    section = html.split('id="incoming-referrals"', 1)[1].split("</section>", 1)[0]
    assert occult.case.patient.family_name in section
    assert f"referral #{occult.pk}" in section


def test_the_outcome_alert_names_the_patient_in_the_app_and_not_in_the_email(
        client, occult, breast_surgeon, neurosurgeon) -> None:
    services.workup_result_record(referral=occult, actor=breast_surgeon, kind="biopsy",
                                  taken_on=timezone.localdate(), biopsy_site="breast",
                                  breast_origin=True, er=True, pr=True, her2=False,
                                  ki67=Decimal("5"))
    alert = Alert.objects.get(referral=occult, recipient=neurosurgeon, kind="decided")
    client.force_login(neurosurgeon)
    html = client.get(reverse("referrals:alert-list")).content.decode()
    patient = occult.case.patient
    assert f"{patient.family_name}, {patient.given_name}" in html
    assert "Now: accepted" in html
    email = alert_message(alert)
    assert patient.family_name not in email.subject + email.body
    assert patient.mrn not in email.subject + email.body
    assert str(occult.pk) in email.body


def test_the_exclusion_reaches_the_referring_team_with_the_outcome(client, occult,
                                                                  breast_surgeon,
                                                                  neurosurgeon) -> None:
    services.workup_exclude(referral=occult, actor=breast_surgeon,
                            reason="Spinal histology: renal cell carcinoma.")
    assert Alert.objects.filter(referral=occult, recipient=neurosurgeon, kind="decided").exists()
    client.force_login(neurosurgeon)
    html = client.get(reverse("referrals:alert-list")).content.decode()
    assert "Now: closed" in html
