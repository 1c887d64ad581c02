"""The fast form renderer draws exactly what Django's widget templates draw."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from shop.admin.escaping import attributes, escaped, formatted, text
from shop.admin.forms.fastwidgets import (
    OWN_TEMPLATES,
    FastRenderer,
    fast_renderer,
    hidden_form_html,
    value_only,
    value_text,
)

HOSTILE = "\"Quotes' & <script>alert('x')</script> ünïcode"
CHOICES = [("", "---------"), ("a", "Plain"), (HOSTILE, HOSTILE), ("<b>", "<b>bold</b>")]
GROUPED = [("", "Pick"), ("Group <one>", [("1", "One"), ("2", "Two & more")]), ("3", "Three")]


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="Help <b>text</b>")
    number = forms.IntegerField(min_value=0, required=False)
    amount = forms.DecimalField(max_digits=8, decimal_places=2)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    flag = forms.BooleanField(required=False)
    maybe = forms.NullBooleanField()
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    choice = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    several = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kept = forms.CharField(show_hidden_initial=True, required=False)


INITIALS = [
    {},
    {
        "text": HOSTILE,
        "number": 7,
        "amount": Decimal("12.50"),
        "email": "a&b@example.com",
        "url": "https://example.com/?a=1&b=<2>",
        "hidden": HOSTILE,
        "secret": "p\"w'd",
        "flag": True,
        "maybe": False,
        "day": datetime.date(2024, 2, 29),
        "choice": HOSTILE,
        "grouped": "2",
        "several": ["a", "<b>"],
        "radio": "a",
        "notes": HOSTILE + "\nline two",
        "kept": mark_safe("<i>already safe</i>"),
    },
    {"choice": "<b>", "grouped": "", "maybe": None, "flag": False, "number": 0, "notes": ""},
]
POSTED = {
    "text": "x" * 30,  # too long
    "number": "-3",  # below the minimum
    "amount": "12.345",  # too many decimals
    "email": "not an <e-mail>",
    "url": "javascript:alert(1)",
    "choice": "<not a choice>",
    "several": ["a", "zzz"],
    "day": "2024-13-45",
    "maybe": "maybe",
    "notes": HOSTILE,
    "kept": HOSTILE,
}


def both(form_class: type[forms.Form], **options: Any) -> tuple[forms.Form, forms.Form]:
    django_form = form_class(renderer=get_default_renderer(), **options)
    fast_form = form_class(renderer=fast_renderer(), **options)
    return django_form, fast_form


def assert_same(django_form: forms.Form, fast_form: forms.Form) -> None:
    for name in django_form.fields:
        expected, drawn = django_form[name], fast_form[name]
        assert str(drawn) == str(expected), name
        label = {"aria-label": f"{HOSTILE} {name}"}
        assert drawn.as_widget(attrs=label) == expected.as_widget(attrs=label), name
        assert str(drawn.errors) == str(expected.errors), name
    assert str(fast_form.non_field_errors()) == str(django_form.non_field_errors())


@pytest.mark.parametrize("initial", INITIALS)
@pytest.mark.parametrize("prefix", [None, "form-3"])
def test_unbound_widgets_are_drawn_as_django_draws_them(initial, prefix) -> None:
    assert_same(*both(EveryWidget, initial=initial, prefix=prefix))


@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_posted_widgets_and_their_errors_are_drawn_as_django_draws_them(auto_id) -> None:
    django_form, fast_form = both(EveryWidget, data=POSTED, auto_id=auto_id)
    assert not django_form.is_valid()
    assert not fast_form.is_valid()
    fast_form.add_error(None, f"A form error with {HOSTILE}")
    django_form.add_error(None, f"A form error with {HOSTILE}")
    fast_form.add_error("flag", mark_safe("<b>A safe error</b>"))
    django_form.add_error("flag", mark_safe("<b>A safe error</b>"))
    assert_same(django_form, fast_form)


def test_the_options_of_a_select_are_drawn_once_and_reused_per_value() -> None:
    first = both(EveryWidget, initial={"choice": "a"})[1]
    second = both(EveryWidget, initial={"choice": HOSTILE})[1]
    assert str(first["choice"]).count(" selected") == 1
    assert '<option value="a" selected>Plain</option>' in str(first["choice"])
    assert '<option value="a">Plain</option>' in str(second["choice"])
    assert "<script>" not in str(second["choice"])


def test_widgets_it_does_not_draw_go_through_the_templates() -> None:
    class Custom(forms.TextInput):
        template_name = "django/forms/widgets/radio.html"  # not one of its templates

    class Bespoke(forms.Form):
        radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
        custom = forms.CharField(widget=Custom)
        split = forms.SplitDateTimeField()

    assert_same(*both(Bespoke, initial={"radio": "a", "split": datetime.datetime(2024, 1, 2)}))


def test_a_template_the_project_overrides_is_used(tmp_path: Path) -> None:
    override = tmp_path / "django" / "forms" / "widgets" / "text.html"
    override.parent.mkdir(parents=True)
    override.write_text('<input class="ours" name="{{ widget.name }}">')

    class Overriding(DjangoTemplates):
        @cached_property
        def engine(self) -> Any:
            dirs = [tmp_path, OWN_TEMPLATES]
            return self.backend({"APP_DIRS": True, "DIRS": dirs, "NAME": "t", "OPTIONS": {}})

    renderer = FastRenderer(Overriding())
    form = EveryWidget(renderer=renderer, initial={"text": "x", "choice": "a"})
    assert str(form["text"]) == '<input class="ours" name="text">'
    assert str(form["choice"]) == str(EveryWidget(initial={"choice": "a"})["choice"])


def test_escaping_follows_django() -> None:
    from django.template import Context, Template
    from django.utils.html import conditional_escape

    values = [HOSTILE, mark_safe("<b>safe</b>"), 3, Decimal("1.50"), None, True, ("a", "<")]
    template = Template("{{ v }}|{{ v|stringformat:'s' }}")
    for value in values:
        assert f"{text(value)}|{formatted(value)}" == template.render(Context({"v": value}))
        assert escaped(value) == conditional_escape(value)
    drawn = attributes({"a": True, "b": False, "c": None, "d": 0, "e": HOSTILE, '"f"': "x"})
    widget = forms.TextInput(attrs={"a": True, "b": False, "c": None, "d": 0, "e": HOSTILE})
    widget.attrs['"f"'] = "x"
    expected = widget.render("n", None, renderer=get_default_renderer())
    assert expected == f'<input type="text" name="n"{drawn}>'


def test_the_plain_widgets_and_error_lists_skip_the_template_engine() -> None:
    base = get_default_renderer()
    used: list[str] = []

    class Spy(DjangoTemplates):
        def render(self, template_name: str, context: Any, request: Any = None) -> str:
            used.append(template_name)
            return base.render(template_name, context, request)

    form = EveryWidget(data=POSTED, renderer=FastRenderer(Spy()))
    for name in form.fields:
        str(form[name])
        str(form[name].errors)
    assert sorted(set(used)) == ["django/forms/widgets/radio.html"]


class Localized(forms.TextInput):
    def format_value(self, value: Any) -> str | None:
        return None if value is None else f"#{value}"


class ValueForms(forms.Form):
    text = forms.CharField(max_length=20)
    number = forms.IntegerField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=CHOICES)
    day = forms.DateField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    amount = forms.DecimalField(localize=True, required=False)
    custom = forms.CharField(widget=Localized)


def test_one_drawing_serves_every_value_of_a_plain_input_only() -> None:
    token = "0f1e2d3c4b5a"
    plain = {
        name
        for name in ValueForms.base_fields
        if value_only(ValueForms(renderer=fast_renderer())[name])
    }
    assert plain == {"text", "number", "hidden"}
    assert not value_only(ValueForms()["text"]), "drawn through the templates"
    for value in (HOSTILE, 0, 12, mark_safe("<b>safe</b>"), "x&y"):
        for name in plain:
            form = ValueForms(renderer=fast_renderer(), initial={name: value}, prefix="f-1")
            once = ValueForms(renderer=fast_renderer(), initial={name: token}, prefix="f-1")
            expected = ValueForms(initial={name: value}, prefix="f-1")[name]
            drawn = str(once[name]).replace(token, value_text(form.fields[name], value))
            assert drawn == str(expected), (name, value)


def test_a_management_form_is_drawn_as_its_template_draws_it() -> None:
    from django.forms.formsets import ManagementForm

    initial = {"TOTAL_FORMS": 3, "INITIAL_FORMS": 3, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    fast = ManagementForm(prefix="form", initial=initial, renderer=fast_renderer())
    assert hidden_form_html(fast) == str(ManagementForm(prefix="form", initial=initial))
