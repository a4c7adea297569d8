"""The score calculator page: the same inputs as the API, in a form."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

VALID = {
    "patient-primary_site": "breast", "patient-er": "yes", "patient-pr": "no",
    "patient-her2": "no", "patient-ki67": "12", "patient-kps": "80", "patient-frankel": "E",
    "patient-extraspinal_bone_metastases": "0", "patient-vertebral_metastases": "2",
    "patient-visceral_metastases": "none",
    "lesion-TOTAL_FORMS": "3", "lesion-INITIAL_FORMS": "0", "lesion-MIN_NUM_FORMS": "1",
    "lesion-MAX_NUM_FORMS": "10",
    "lesion-0-levels": "T11, T12", "lesion-0-pain": "mechanical", "lesion-0-bone_lesion": "lytic",
    "lesion-0-alignment": "normal", "lesion-0-collapse": "under_50",
    "lesion-0-posterolateral": "unilateral", "lesion-0-bilsky": "1b",
}


def test_calculator_needs_login(client: Client) -> None:
    response = client.get(reverse("score-calculator"))
    assert response.status_code == 302


def test_calculator_shows_every_score_with_breakdown(client: Client, neurosurgeon) -> None:
    client.force_login(neurosurgeon)
    response = client.post(reverse("score-calculator"), VALID)
    html = response.content.decode()
    assert response.status_code == 200
    assert "SINS 11</strong> (indeterminate (potentially unstable))" in html
    assert "Revised Tokuhashi: 14 (1 year or more)" in html
    assert "Tomita: 3 (Long-term local control)" in html
    assert "NOMS: Conventional external beam radiotherapy (cEBRT)" in html
    assert "SINS 7 or more</strong>" in html and "Green · elective" in html
    from tests.tumorboard.test_words_for_people import leaks, visible_text

    assert not leaks(visible_text(html))
    assert "Fisher CG et al." in html  # the reference is shown


def test_calculator_puts_core_errors_on_the_field(client: Client, neurosurgeon) -> None:
    client.force_login(neurosurgeon)
    data = {**VALID, "lesion-0-levels": "T11, Co1", "patient-vertebral_metastases": "2"}
    response = client.post(reverse("score-calculator"), data)
    html = response.content.decode()
    assert "Result" not in html.split("<form")[0]
    assert "Co1" in html and 'class="field has-error"' in html


def test_calculator_needs_kps_or_ecog(client: Client, neurosurgeon) -> None:
    client.force_login(neurosurgeon)
    response = client.post(reverse("score-calculator"), {**VALID, "patient-kps": ""})
    html = response.content.decode()
    assert "field-error" in html and "ECOG" in html.split("field-error", 1)[1][:400]
