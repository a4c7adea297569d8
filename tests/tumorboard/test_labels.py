"""The one table of display labels (tumorboard/labels.py): every code a person may read has its
words there, in clinician's words; field names in errors read as the forms show them."""

from __future__ import annotations

from enum import StrEnum

import pytest
from django.db import models
from django.template import Context, Template

import scoring.calculators.enums as scoring_enums
from tumorboard import labels

#: Which table holds each choice's words. A choice missing here fails the test below, so a new
#: code cannot reach a page as a raw code.
KIND_OF = {
    "NomsPathway": "pathway", "TriggerCode": "trigger", "MolecularSubtype": "subtype",
    "ReferralDirection": "direction", "SinsBand": "sins_band", "TokuhashiSurvival": "survival",
    "TomitaGoal": "goal", "BauerBand": "goal", "NomsNeurological": "noms",
    "NomsOncological": "noms", "NomsMechanical": "noms", "NomsSystemic": "noms",
    "Collapse": "collapse", "BoneModifyingAgent": "agent", "Severity": "severity",
    "TimingCode": "timing", "Urgency": "urgency", "VisceralMetastases": "visceral",
    "PrimaryStatus": "primary_status", "ReferralStatus": "referral_status", "Phase": "phase",
    "Role": "role", "MeetingStatus": "meeting_status", "AlertKind": "alert",
    "PacketKind": "packet_kind", "TriggerSource": "trigger_source", "ItemSource": "item_source",
    "Ambulation": "outcome", "ImplantIntegrity": "outcome", "LocalControl": "outcome",
    "SurvivalStatus": "outcome", "Action": "referral_action",
}


def _choices() -> dict[str, list[str]]:
    from cases.models import case, outcome
    from cases.timeline import Phase
    from meetings.models import ItemSource, MeetingStatus, PacketKind
    from referrals.models import AlertKind, ReferralStatus, TriggerSource
    from referrals.states import Action
    from tumorboard.roles import Role

    found: dict[str, list[str]] = {}
    for cls in (case.PrimaryStatus, Phase, MeetingStatus, PacketKind, ItemSource, AlertKind,
                ReferralStatus, TriggerSource, Role, outcome.Ambulation,
                outcome.ImplantIntegrity, outcome.LocalControl, outcome.SurvivalStatus):
        assert issubclass(cls, models.TextChoices)
        found[cls.__name__] = [str(value) for value in cls.values]
    found["Action"] = [a.value for a in Action]
    for name, cls in vars(scoring_enums).items():
        if isinstance(cls, type) and issubclass(cls, StrEnum) and name in KIND_OF:
            found[name] = [m.value for m in cls]
    return found


@pytest.mark.django_db
def test_every_code_of_every_choice_a_person_reads_has_words() -> None:
    missing = [f"{name}.{code} (table {KIND_OF[name]!r})"
               for name, codes in _choices().items() for code in codes
               if code not in labels.LABELS[KIND_OF[name]]]
    assert not missing, "codes without words in tumorboard/labels.py:\n" + "\n".join(missing)


def test_the_words_are_a_clinicians() -> None:
    assert labels.label("separation_surgery_srs", "pathway") == "Separation surgery then SRS"
    assert labels.label("known_breast", "primary_status") == "Known breast cancer"
    assert labels.label("back_pain", "trigger") == "New or progressive back pain"
    assert labels.label("under_50", "collapse") == "Collapse under 50%"
    assert labels.label("listed_for_mdt") == "Listed for MDT"
    assert labels.label("her2_enriched") == "HER2-enriched"
    # A code nobody named still never shows raw.
    assert labels.label("some_new_code") == "Some new code"
    assert labels.label(None) == ""
    for table in labels.LABELS.values():
        for words in table.values():
            assert "_" not in words and "§" not in words, words


def test_due_times_and_shares_read_plainly() -> None:
    assert labels.duration(24) == "24 hours"
    assert labels.duration(72) == "72 hours"
    assert labels.duration(168) == "7 days"
    assert labels.percent(0.25) == "25%"
    assert labels.percent(1) == "100%"
    assert labels.percent(None) == "—"
    for words in labels.URGENCY.values():
        assert " h" not in words.replace(" hours", "")


def test_template_filters() -> None:
    html = Template('{% load tb %}{{ p|pathway }}|{{ t|label:"trigger" }}|{{ s|percent }}|'
                    '{{ f|field_label }}|{{ w|words }}').render(Context({
                        "p": "cebrt", "t": "sins_7_or_more", "s": 0.5,
                        "f": "extraspinal_bone_metastases", "w": "info_requested"}))
    assert html == ("Conventional external beam radiotherapy (cEBRT)|SINS 7 or more|50%|"
                    "Extraspinal bone metastases|Information requested")


def test_when_shows_the_viewers_zone_without_an_offset(settings) -> None:
    import datetime as dt

    from django.utils import timezone

    moment = dt.datetime(2026, 7, 1, 21, 30, tzinfo=dt.UTC)
    template = Template("{% load tb %}{{ m|when }}|{{ s|when }}")
    with timezone.override("Europe/London"):  # BST, UTC+1
        text = template.render(Context({"m": moment, "s": "2026-07-01T21:30:00+00:00"}))
    assert text == "2026-07-01 22:30|2026-07-01 22:30"


@pytest.mark.django_db
def test_a_field_in_an_error_reads_as_the_form_shows_it() -> None:
    from cases.models import Case, LesionImaging
    from cases.services import CASE_CLINICAL_FIELDS, IMAGING_FIELDS

    for model, names in ((Case, CASE_CLINICAL_FIELDS), (LesionImaging, IMAGING_FIELDS)):
        for name in names:
            shown = str(model._meta.get_field(name).verbose_name)
            assert labels.field_label(name) == shown[:1].upper() + shown[1:], name
    assert labels.field_label("lesions[0].collapse") == "Collapse"
    assert labels.field_label("quorum_override_reason").startswith("Why finalize without quorum")
