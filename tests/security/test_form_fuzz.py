"""Hypothesis on every page form, through its page: whatever a browser could post (any text,
numbers out of range, NUL characters, huge strings, missing and extra fields) is answered with
the form and its errors or a redirect, never a 5xx. The scoring core's own property tests are in
tests/scoring/test_calc_properties.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import forms as case_forms
from meetings import forms as meeting_forms
from referrals import forms as referral_forms
from scoring import forms as scoring_forms

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "\x00", "1e309", "-0", "2026-02-30", "9999-12-31", "T0", "L6", "x" * 5000,
                     "'; DROP TABLE cases_case; --", "<script>alert(1)</script>"]),
)


def fields_of(form_class: type[forms.BaseForm], prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in form_class.base_fields]


#: (page, the world's object the URL takes, who posts, the form's field names). Every form class
#: of the pages is here (test_every_page_form_is_fuzzed checks it).
PAGES: list[tuple[str, str, str, list[str]]] = [
    ("cases:patient-create", "", "breast", fields_of(case_forms.PatientForm)),
    ("cases:case-create", "patient", "breast", fields_of(case_forms.CaseForm)),
    ("cases:case-edit", "case", "breast", fields_of(case_forms.CaseForm)),
    ("cases:lesion-create", "case", "breast", fields_of(case_forms.LesionForm)),
    ("cases:imaging-create", "lesion", "breast", fields_of(case_forms.ImagingForm)),
    ("cases:transition-create", "case", "breast", fields_of(case_forms.TransitionForm)),
    ("cases:followup-create", "case", "breast", fields_of(case_forms.FollowUpForm)),
    ("referrals:flag-trigger", "case", "breast", fields_of(referral_forms.FlagTriggerForm)),
    ("cases:specialist-add", "case", "breast", fields_of(case_forms.SpecialistAddForm)),
    ("cases:surgery-create", "case", "neuro", fields_of(case_forms.SurgeryForm)),
    # The occult-primary work-up (issue 19): a neuro-to-breast referral of world A's teams.
    ("referrals:workup-result", "occult", "breast", fields_of(referral_forms.WorkupResultForm)),
    ("referrals:workup-exclude", "occult", "breast",
     fields_of(referral_forms.WorkupExcludeForm)),
    # Systemic therapy, laboratory values and radiotherapy (CLINICAL.md §16).
    ("cases:episode-create", "case", "breast", fields_of(case_forms.EpisodeForm)),
    ("cases:episode-stop", "episode", "breast", fields_of(case_forms.EpisodeStopForm)),
    ("cases:hold-create", "episode", "breast", fields_of(case_forms.HoldForm)),
    ("cases:hold-end", "hold", "breast", fields_of(case_forms.HoldEndForm)),
    ("cases:lab-create", "case", "breast", fields_of(case_forms.LabForm)),
    ("cases:plan-create", "case", "radonc", fields_of(case_forms.RadiotherapyPlanForm)),
    ("referrals:radiotherapy-refer", "case", "neuro",
     fields_of(referral_forms.RadiotherapyReferralForm)),
    ("referrals:referral-act", "referral-decline", "neuro",
     fields_of(referral_forms.ReferralActionForm)),
    ("meetings:meeting-list", "", "coordinator", fields_of(meeting_forms.MeetingCreateForm)),
    ("meetings:item-add", "meeting", "coordinator", fields_of(meeting_forms.AddCaseForm)),
    ("meetings:item-decide", "item", "neuro", fields_of(meeting_forms.DecisionForm, "itemX-")),
    ("meetings:item-follow-up", "item", "neuro",
     fields_of(meeting_forms.FollowUpForm, "followX-")),
    ("meetings:move", "meeting-finalize", "neuro", fields_of(meeting_forms.FinalizeForm)),
    ("meetings:item-find", "meeting", "coordinator", fields_of(meeting_forms.FindCaseForm)),
    ("meetings:item-prepare", "item", "neuro", fields_of(meeting_forms.PrepareForm, "prepX-")),
    ("meetings:opinion-add", "item", "neuro", fields_of(meeting_forms.OpinionForm, "opX-")),
    # No form class: the view reads its one field, ``kind``, straight from the POST.
    ("meetings:packet-request", "meeting", "coordinator", ["kind"]),
    ("score-calculator", "", "breast", fields_of(scoring_forms.PatientScoreForm, "patient-")
     + fields_of(scoring_forms.LesionScoreForm, "lesion-0-")
     + ["lesion-TOTAL_FORMS", "lesion-INITIAL_FORMS"]),
]


def _therapy(case: Any, *, hold: bool) -> list[int]:
    """An episode of the case (and an open hold of it), for the pages that take them."""
    import datetime as dt

    from django.utils import timezone

    from cases import services

    started = timezone.localdate() - dt.timedelta(days=30)
    episode = services.episode_create(case=case, actor=case.created_by, therapy_class="endocrine",
                                      drug="letrozole", started_on=started)
    if not hold:
        return [case.pk, episode.pk]
    held = services.hold_create(case=case, episode=episode, actor=case.created_by,
                                held_from=started + dt.timedelta(days=1), reason="test")
    return [case.pk, held.pk]


def _url(name: str, scope: str, world: Any) -> str:
    case, item = world.case, world.item
    if scope in ("episode", "hold"):
        return reverse(name, args=_therapy(case, hold=scope == "hold"))
    args = {
        "": [], "case": [case.pk], "patient": [case.patient_id],
        "lesion": [case.pk, case.lesions.first().pk], "referral-decline": [world.referral.pk,
                                                                            "decline"],
        "meeting": [world.meeting.pk], "meeting-finalize": [world.meeting.pk, "finalize"],
        "item": [world.meeting.pk, item.pk],
    }[scope]
    return reverse(name, args=args)


def _occult_url(name: str, world: Any, neurosurgeon: Any) -> str:
    """A neurosurgeon's patient of world A's teams with an unknown primary: the rules referred
    it to the breast team with the occult-primary work-up (§8, §17)."""
    from referrals.models import Referral
    from tests.factories import add_lesion, create_case

    case = create_case(actor=neurosurgeon, breast_team=world.case.breast_team,
                       spine_team=world.case.spine_team, primary_status="unknown", er=None,
                       pr=None, her2=None, ki67=None)
    add_lesion(case, actor=neurosurgeon, bilsky="0")
    referral = Referral.objects.get(case=case, direction="neuro_to_breast")
    return reverse(name, args=[referral.pk])


def test_every_page_form_is_fuzzed() -> None:
    classes = {obj for module in (case_forms, meeting_forms, referral_forms, scoring_forms)
               for obj in vars(module).values()
               if isinstance(obj, type) and issubclass(obj, forms.BaseForm)
               and obj.__module__ == module.__name__}
    fuzzed_fields = {field for *_, names in PAGES for field in names}
    for form_class in classes:
        some = next(iter(form_class.base_fields), None)
        assert some is None or any(f.endswith(some) for f in fuzzed_fields), form_class


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_random_form_posts_never_get_a_server_error(
    page, world_a, breast_surgeon, neurosurgeon, coordinator, oncologist
) -> None:
    name, scope, who, names = page
    user = {"breast": breast_surgeon, "neuro": neurosurgeon, "coordinator": coordinator,
            "radonc": oncologist}[who]
    names = [n.replace("itemX-", f"item{world_a.item.pk}-")
             .replace("followX-", f"follow{world_a.item.pk}-")
             .replace("prepX-", f"prep{world_a.item.pk}-")
             .replace("opX-", f"op{world_a.item.pk}-") for n in names]
    url = (_occult_url(name, world_a, neurosurgeon) if scope == "occult"
           else _url(name, scope, world_a))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    seen: list[int] = []

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=st.dictionaries(st.sampled_from([*names, "extra"]), VALUES, max_size=len(names)))
    def post(data: dict[str, str]) -> None:
        response = client.post(url, data)
        seen.append(response.status_code)
        assert response.status_code < 500, (name, data, response.status_code)

    post()
    assert seen and all(code < 500 for code in seen)
