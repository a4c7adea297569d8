"""The acute-deficit clock (CLINICAL.md §9a) on the triage queue, the referral and the meeting
page: time since onset and the six-hour mark while the deficit is under 48 h old."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from referrals.models import Referral
from tests.factories import make_mdt_case

pytestmark = pytest.mark.django_db

CLOCK = "weakness began 2 h 0 min ago; the 6-hour mark is at"


def test_queue_referral_and_meeting_pages_show_the_clock(
    client, meeting, coordinator, breast_surgeon, neurosurgeon, teams
) -> None:
    onset = timezone.now() - dt.timedelta(hours=2)
    case = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                         accept=False, frankel="C", deficit_onset_at=onset)
    referral = Referral.objects.get(case=case, direction="breast_to_neuro")
    services.agenda_item_add(meeting=meeting, case=case, actor=breast_surgeon)
    mark = timezone.localtime(onset + dt.timedelta(hours=6))
    client.force_login(neurosurgeon)
    for url in (reverse("referrals:referral-list"),
                reverse("referrals:referral-detail", args=[referral.pk]),
                reverse("meetings:meeting-detail", args=[meeting.pk])):
        page = client.get(url).content.decode()
        assert CLOCK in page, url
        assert f"{mark:%H:%M}" in page, url


def test_no_clock_when_the_onset_is_unknown_or_48_hours_old(
    client, breast_surgeon, neurosurgeon, teams
) -> None:
    old = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon, teams=teams,
                        accept=False, frankel="C",
                        deficit_onset_at=timezone.now() - dt.timedelta(hours=48, minutes=1))
    unknown = make_mdt_case(breast_surgeon=breast_surgeon, neurosurgeon=neurosurgeon,
                            teams=teams, accept=False, frankel="C", deficit_onset_unknown=True)
    client.force_login(neurosurgeon)
    assert "weakness began" not in client.get(reverse("referrals:referral-list")).content.decode()
    for case in (old, unknown):
        page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
        assert "weakness began" not in page
