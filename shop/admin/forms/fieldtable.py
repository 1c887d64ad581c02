"""The fields of a generated form class, copied for each form without their choice lists.

Django deep-copies every field for every form it makes, a ChoiceField with each of its
choices and a select widget normalizing its whole list again: a page of inline rows made
thousands of copies. The copies here share the choice lists with the class's fields
instead; no form changes its choices in place (one that needs others assigns a new
list, which stays its own). Everything else is copied as Django copies it.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.widgets import ChoiceWidget


class FieldTable(dict[str, forms.Field]):
    """A form class's `base_fields`: each form's copy shares the choice lists."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
    widget = field.widget
    if type(widget).__deepcopy__ is ChoiceWidget.__deepcopy__:
        # Registered in memo, so the field's own copy takes it: a plain widget copy
        # sharing the choices (Django's would normalize the whole list again).
        forms.Widget.__deepcopy__(widget, memo)
    if type(field).__deepcopy__ is forms.ChoiceField.__deepcopy__:
        return forms.Field.__deepcopy__(field, memo)  # type: ignore[no-any-return]
    return copy.deepcopy(field, memo)
