"""The change form's shortcuts draw exactly what Django draws, and each form keeps its own fields.

Split date-time inputs (shop.admin.forms.render), labels (shop.admin.forms.layout) and
the per-form copies of a generated form's fields (shop.admin.forms.fieldtable).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from django import forms
from django.forms.renderers import get_default_renderer

from shop.admin.forms.fieldtable import FieldTable
from shop.admin.forms.layout import label_tag
from shop.admin.forms.render import change_form_renderer
from shop.admin.forms.utc import UTCSplitDateTimeField


class Sample(forms.Form):
    required_css_class = "required"

    when = UTCSplitDateTimeField(label="When")
    plain = forms.SplitDateTimeField(required=False)
    hidden = forms.SplitDateTimeField(widget=forms.SplitHiddenDateTimeWidget, required=False)
    quoted = forms.SplitDateTimeField(
        widget=forms.SplitDateTimeWidget(date_attrs={"class": 'a"b'}), required=False
    )
    name = forms.CharField(label="Name <b>", help_text="Shown")
    done = forms.BooleanField(label="Done?", required=False)
    grade = forms.ChoiceField(choices=[("", "---"), ("A", "A <best>")], label="Grade")
    notes = forms.CharField(widget=forms.Textarea, label="", required=False)


POSTED = {"s-when_0": "2031-01-02", "s-when_1": "10:00:00", "s-plain_0": "x<y", "s-grade": "B"}
INITIAL = {"when": datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC), "plain": datetime(2030, 1, 1)}


@pytest.mark.parametrize("data", [None, POSTED])
@pytest.mark.parametrize("initial", [{}, INITIAL])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_inputs_and_labels_are_drawn_as_django_draws_them(
    data: Any, initial: Any, auto_id: Any
) -> None:
    django_form = Sample(data, initial=initial, prefix="s", auto_id=auto_id)
    django_form.renderer = get_default_renderer()
    ours = Sample(data, initial=initial, prefix="s", auto_id=auto_id)
    ours.renderer = change_form_renderer()
    for name in Sample.base_fields:
        assert str(ours[name]) == str(django_form[name])
        assert label_tag(ours[name]) == django_form[name].label_tag()


def test_each_form_keeps_its_own_fields_and_shares_only_the_choices() -> None:
    table = FieldTable(Sample.base_fields)
    first, second = forms.Form(), forms.Form()
    first.fields, second.fields = copy.deepcopy(table), copy.deepcopy(table)
    first.fields["name"].label = "Changed"
    first.fields["grade"].widget.attrs["class"] = "mine"
    first.fields["grade"].choices = [("Z", "Z")]
    assert second.fields["name"].label == "Name <b>"
    assert "class" not in second.fields["grade"].widget.attrs
    assert list(second.fields["grade"].choices) == [("", "---"), ("A", "A <best>")]
    assert list(second.fields["grade"].widget.choices) == [("", "---"), ("A", "A <best>")]
    assert second.fields["when"] is not Sample.base_fields["when"]
