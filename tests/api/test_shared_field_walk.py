"""Answers walked over fields built once per class (tumorboard.api_walk, issue 22) are DRF's
own walk over fresh fields, in whatever time zone each request is in; a serializer that reads
the request cannot be walked that way by mistake."""

from __future__ import annotations

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from cases.selectors import case_status
from cases.serializers import CaseDetailSerializer
from tests.cases.test_queries import full_case  # noqa: F401 (the fixture)
from tumorboard.api_walk import SharedFieldWalk

pytestmark = pytest.mark.django_db


def fresh_walk(detail):
    """The oracle: DRF's walk on a new instance, whose fields are built for it alone."""
    return serializers.Serializer.to_representation(CaseDetailSerializer(), detail)


def test_the_case_status_is_drfs_walk_over_fresh_fields(full_case) -> None:  # noqa: F811
    detail = case_status(case=full_case(3))
    first = None
    for zone in ("Pacific/Auckland", "America/Sao_Paulo", "UTC"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            ours = CaseDetailSerializer(detail).data
            assert ours == fresh_walk(detail)
            assert list(ours) == list(fresh_walk(detail))
        # The shared fields keep no time zone: each walk writes the request's own.
        if first is not None:
            assert ours["updated_at"] != first["updated_at"]
        first = ours
    assert len(first["lesions"]) == 3 and first["open_referrals"] and first["last_decision"]
    assert first["clinical"]["vertebral_metastases"] == 4


def test_a_decision_is_drfs_walk_over_fresh_fields(full_case) -> None:  # noqa: F811
    from meetings.models import Decision
    from meetings.serializers import DecisionSerializer

    full_case(1)
    decision = Decision.objects.get()
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        ours = DecisionSerializer(decision).data
        assert ours == serializers.Serializer.to_representation(DecisionSerializer(), decision)
    assert ours["pathway"] == "cebrt" and ours["decided_at"].endswith("+05:30")


class _ReadsTheRequest(SharedFieldWalk):
    who = serializers.SerializerMethodField()

    def get_who(self, obj: object) -> str:
        return str(self.context["request"].user)


def test_a_serializer_that_reads_the_request_fails_instead_of_sharing_one() -> None:
    with pytest.raises(RuntimeError, match="reads its context"):
        _ = _ReadsTheRequest({"x": 1}, context={"request": object()}).data
