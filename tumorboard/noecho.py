"""Error messages that never quote the client's input.

Django's and DRF's choice and relation fields say ``"<value>" is not a valid choice``: the value
comes back in a 400 (a script tag, a lone surrogate that then cannot be encoded, a patient name
typed in the wrong box). One place rewrites those defaults, for every form, filter, serializer and
the admin; the field's name still says which value was refused.
"""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import fields, relations

FORM_MESSAGES: dict[Any, dict[str, str]] = {
    forms.ChoiceField: {"invalid_choice": "Select a valid choice."},
    forms.MultipleChoiceField: {"invalid_choice": "Select valid choices."},
    forms.ModelMultipleChoiceField: {"invalid_choice": "Select valid choices.",
                                     "invalid_pk_value": "Not a valid value."},
}
DRF_MESSAGES: dict[Any, dict[str, str]] = {
    fields.ChoiceField: {"invalid_choice": "Not a valid choice."},
    fields.MultipleChoiceField: {"invalid_choice": "Not a valid choice."},
    relations.PrimaryKeyRelatedField: {"does_not_exist": "No such object."},
    relations.SlugRelatedField: {"does_not_exist": "No such object."},
    relations.HyperlinkedRelatedField: {"does_not_exist": "No such object."},
}


def quote_no_input() -> None:
    for table in (FORM_MESSAGES, DRF_MESSAGES):
        for cls, messages in table.items():
            cls.default_error_messages = {**cls.default_error_messages, **messages}
