"""Widgets written in Python (tumorboard.widget_markup) are Django's templates, character for
character: every form on the pages that show one, unbound and bound with bad values, and a
form of awkward values (groups, safe, lazy and numeric labels, attributes true, false and
none, multiple choice, a widget with an option template of its own)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from tests.cases.test_queries import full_case  # noqa: F401 (the fixture)
from tumorboard.widget_markup import FormRenderer

TEMPLATES, OURS = DjangoTemplates(), FormRenderer()


def rendered(form: forms.BaseForm, renderer) -> list[str]:
    form.renderer = renderer
    return [str(field) for field in form]


def forms_in(response) -> list[forms.BaseForm]:
    found: dict[int, forms.BaseForm] = {}
    for context in response.context:
        for value in context.flatten().values():
            form = getattr(value, "form", value)  # a FilterSet holds its form
            if isinstance(form, forms.BaseForm):
                found[id(form)] = form
    return list(found.values())


def test_the_python_renderer_is_the_projects_renderer(settings) -> None:
    assert settings.FORM_RENDERER == "tumorboard.widget_markup.FormRenderer"


@pytest.mark.django_db
def test_every_form_on_the_pages_is_written_as_the_templates_write_it(
        full_case, client, breast_surgeon, coordinator) -> None:  # noqa: F811
    case = full_case(2)
    lesion = case.lesions.first()
    pages = [
        (breast_surgeon, "get", reverse("cases:case-list") + "?phase=mdt_tumor_board&urgency=red"
                                "&updated_since=2026-01-01T00:00", None),
        (breast_surgeon, "get", reverse("cases:case-list") + "?updated_since=yesterday", None),
        (breast_surgeon, "get", reverse("cases:patient-create"), None),
        (breast_surgeon, "get", reverse("cases:case-edit", args=[case.pk]), None),
        (breast_surgeon, "post", reverse("cases:case-edit", args=[case.pk]),
         {"kps": "ninety", "ki67": "<b>", "frankel": "Z", "anc_date": "soon"}),
        (breast_surgeon, "get", reverse("cases:lesion-create", args=[case.pk]), None),
        (breast_surgeon, "get", reverse("cases:imaging-create", args=[case.pk, lesion.pk]), None),
        (breast_surgeon, "get", reverse("cases:transition-create", args=[case.pk]), None),
        (breast_surgeon, "get", reverse("cases:followup-create", args=[case.pk]), None),
        (breast_surgeon, "get", reverse("referrals:flag-trigger", args=[case.pk]), None),
        (breast_surgeon, "get", reverse("score-calculator"), None),
        (coordinator, "get", reverse("meetings:meeting-list"), None),
    ]
    compared = 0
    for person, method, url, data in pages:
        client.force_login(person)
        response = getattr(client, method)(url, data) if data else client.get(url)
        assert response.status_code == 200, url
        for form in forms_in(response):
            assert rendered(form, OURS) == rendered(form, TEMPLATES), (url, type(form))
            compared += len(form.fields)
    assert compared > 60


_lazy_label = lazy(lambda: "Lazy <label>", str)


class Awkward(forms.Form):
    grouped = forms.ChoiceField(choices=[("", "---"), ("Breast", [("a", "A & B"), ("b", 2)]),
                                         ("Spine", [(3, mark_safe("<i>safe</i>"))])])
    lazy_labels = forms.ChoiceField(choices=[("x", _lazy_label()), (1.5, 1.5)])
    many = forms.MultipleChoiceField(choices=[("p", "P"), ("q", "Q")])
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect)
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "data-x": None,
                                                                "autofocus": True,
                                                                "hidden": False}))
    when = forms.DateTimeField(initial=dt.datetime(2026, 12, 5, 9, 30))
    text = forms.CharField(initial='"quoted" <value> & more', max_length=20)
    hidden = forms.CharField(widget=forms.HiddenInput, initial=0)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    note = forms.CharField(widget=forms.Textarea)


@pytest.mark.parametrize("data", [
    None,
    {"grouped": "3", "lazy_labels": "1.5", "many": ["p", "q"], "radio": "r", "number": "x<",
     "when": "2026-13-01", "text": "<script>", "hidden": "&", "secret": "s3", "note": "n"},
])
def test_awkward_values_are_written_as_the_templates_write_them(data) -> None:
    form = Awkward(data)
    assert rendered(form, OURS) == rendered(form, TEMPLATES)


def test_numbers_are_localized_as_the_templates_localize_them(settings) -> None:
    settings.USE_THOUSAND_SEPARATOR = True

    class Counts(forms.Form):
        size = forms.ChoiceField(choices=[(12345, 12345), (0.5, 1234.5)])

    form = Counts()
    assert rendered(form, OURS) == rendered(form, TEMPLATES)
    assert "12,345</option>" in rendered(form, OURS)[0]
