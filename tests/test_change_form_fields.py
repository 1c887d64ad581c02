"""The generated add/change form: column types to form fields, many-to-one fields, layout."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from sqlalchemy.orm import Session

from shop.admin import AdminSite, ModelAdmin
from shop.admin.forms.factory import AdminModelForm, build_layout
from shop.admin.forms.readonly import display_value
from shop.admin.forms.related import RawIdWidget, RelatedField
from shop.models import (
    Appointment,
    Enrollment,
    OrderItem,
    Post,
    Product,
    Profile,
    User,
)
from shop.registrations import site
from tests import factories


def form_for(
    request: Any, session: Session, model: type, obj: Any = None, data: Any = None
) -> AdminModelForm:
    layout = build_layout(request, site.get_model_admin(model), obj)
    return layout.form_class(data, session=session, instance=obj)


def test_strings_keep_their_length_and_nullable_ones_store_null(
    rf_request: Any, session: Session
) -> None:
    form = form_for(rf_request, session, User)
    username, bio = form.fields["username"], form.fields["bio"]
    assert isinstance(username, forms.CharField)
    assert (username.max_length, username.required) == (50, True)
    assert (bio.max_length, bio.required) == (300, False)
    data = {"username": "ann", "email": "a@x.org", "bio": "", "role": "member"}
    bound = form_for(rf_request, session, User, data=data)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["bio"] is None  # not ""
    too_long = form_for(rf_request, session, User, data={"username": "x" * 51, "role": "member"})
    assert "username" in too_long.errors


def test_text_columns_get_a_textarea(rf_request: Any, session: Session) -> None:
    form = form_for(rf_request, session, Post)
    assert isinstance(form.fields["body"].widget, forms.Textarea)
    assert isinstance(form.fields["title"].widget, forms.TextInput)


def test_money_is_an_exact_decimal_to_the_cent(rf_request: Any, session: Session) -> None:
    price = form_for(rf_request, session, Product).fields["price"]
    assert isinstance(price, forms.DecimalField)
    assert (price.max_digits, price.decimal_places) == (12, 2)
    assert price.clean("0.30") == Decimal("0.30")
    assert price.clean("0.1") + price.clean("0.2") == Decimal("0.3")
    with pytest.raises(forms.ValidationError, match="2 decimal places"):
        price.clean("1.005")
    with pytest.raises(forms.ValidationError):
        price.clean("NaN")
    with pytest.raises(forms.ValidationError, match="12 digits"):
        price.clean("12345678901.00")


def test_integers_are_bounded_by_the_column_type(rf_request: Any, session: Session) -> None:
    stock = form_for(rf_request, session, Product).fields["stock"]
    assert isinstance(stock, forms.IntegerField)
    assert stock.clean("7") == 7
    with pytest.raises(forms.ValidationError):
        stock.clean(str(2**31))  # would be "integer out of range" on PostgreSQL


def test_enums_are_selects_with_a_blank_choice_only_when_optional(
    rf_request: Any, session: Session
) -> None:
    fields = form_for(rf_request, session, Enrollment).fields
    status, grade = fields["status"], fields["grade"]
    assert isinstance(status, forms.ChoiceField)
    assert [value for value, _ in status.choices] == ["active", "dropped", "completed"]
    assert grade.choices[0] == ("", "---------")
    assert ("A+", "A+") in grade.choices
    assert grade.clean("") is None
    with pytest.raises(forms.ValidationError, match="Select a valid choice"):
        status.clean("expelled")


def test_booleans_and_dates(rf_request: Any, session: Session) -> None:
    active = form_for(rf_request, session, Product).fields["is_active"]
    assert isinstance(active, forms.BooleanField)
    assert not active.required
    birthday = form_for(rf_request, session, Profile).fields["birthday"]
    assert isinstance(birthday, forms.DateField)
    assert not birthday.required
    assert birthday.clean("2001-02-03") == date(2001, 2, 3)
    with pytest.raises(forms.ValidationError, match="1000"):
        birthday.clean("0999-01-01")


def test_datetimes_are_read_as_utc_and_cleaned_aware(rf_request: Any, session: Session) -> None:
    scheduled = form_for(rf_request, session, Appointment).fields["scheduled_at"]
    value = scheduled.clean(["2030-05-06", "07:08:09"])
    assert value == datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert value.utcoffset().total_seconds() == 0
    with pytest.raises(forms.ValidationError):
        scheduled.clean(["2030-05-06", ""])


def test_each_input_of_a_datetime_names_itself(rf_request: Any, session: Session) -> None:
    form = form_for(rf_request, session, Appointment)
    html = str(form["scheduled_at"])
    assert 'aria-label="Scheduled at: date"' in html
    assert 'aria-label="Scheduled at: time (UTC)"' in html


class ChooserUserAdmin(ModelAdmin):
    """No declared fields: the form comes from the mapping, plus the two choosers."""

    search_fields = ("username",)
    autocomplete_fields = ("following", "liked_posts")


class SearchablePostAdmin(ModelAdmin):
    search_fields = ("title",)


def test_keys_versions_and_timestamps_are_not_editable(rf_request: Any, session: Session) -> None:
    plain_site = AdminSite(name="plain")
    plain_site.register(User, ChooserUserAdmin)
    plain_site.register(Post, SearchablePostAdmin)  # the target of liked_posts
    admin = plain_site.get_model_admin(User)
    form = build_layout(rf_request, admin, None).form_class(None, session=session, instance=None)
    # The columns, then the many-to-many choosers (no key, version or timestamp).
    assert list(form.fields) == [
        "username", "email", "bio", "role", "is_active", "following", "liked_posts",
    ]  # fmt: skip
    # On the change page of a versioned model with a timestamp:
    user = factories.user(session)
    layout = build_layout(rf_request, admin, user)
    assert "created_at" in layout.readonly  # shown, read-only, on the change page
    assert "_version" in layout.form_class.base_fields  # the version the user saw
    assert not {"id", "version_id", "created_at"} & set(layout.form_class.base_fields)
    assert layout.initial(user)["_version"] == user.version_id


def test_many_to_one_fields_are_named_after_the_relationship(
    rf_request: Any, session: Session
) -> None:
    form = form_for(rf_request, session, OrderItem)
    assert list(form.fields) == ["order", "product", "quantity", "price_at_purchase"]
    assert isinstance(form.fields["order"], RelatedField)
    assert "order_id" not in form.fields


def test_small_related_tables_render_as_one_query_select(
    rf_request: Any, session: Session, queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(OrderItem), "autocomplete_fields", ())
    products = [factories.product(session) for _ in range(3)]
    with queries:
        form = form_for(rf_request, session, OrderItem)
    assert len(queries) == 2  # orders and products, each one bounded query
    widget = form.fields["product"].widget
    assert isinstance(widget, forms.Select)
    assert [str(value) for value, _ in widget.choices[1:]] == [str(p.id) for p in products]


def test_large_related_tables_render_as_raw_id_with_the_current_label(
    rf_request: Any, session: Session, queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(OrderItem), "fk_select_limit", 2)
    monkeypatch.setattr(site.get_model_admin(OrderItem), "autocomplete_fields", ())
    products = [factories.product(session) for _ in range(3)]
    order = factories.order(session, factories.user(session), [(products[0], 1)])
    with queries:
        form = form_for(rf_request, session, OrderItem, obj=order.items[0])
    assert any("LIMIT" in s.upper() for s in queries.statements)
    assert isinstance(form.fields["product"].widget, RawIdWidget)
    form.initial = {"product": products[0].id}
    html = str(form["product"])
    assert f'value="{products[0].id}"' in html
    assert str(products[0]) in html
    assert "/admin/commerce/product/" in html  # the lookup link


def test_raw_id_values_are_looked_up(
    rf_request: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(OrderItem), "fk_select_limit", 1)
    monkeypatch.setattr(site.get_model_admin(OrderItem), "autocomplete_fields", ())
    products = [factories.product(session) for _ in range(2)]
    order = factories.order(session, factories.user(session), [])
    field = form_for(rf_request, session, OrderItem).fields["product"]
    assert field.clean(str(products[1].id)) == products[1].id
    for bad in ("999999", "abc", "1.5", "2147483648", "99999999999999999999999", "-1", "²"):
        with pytest.raises(forms.ValidationError, match="Select a valid choice"):
            field.clean(bad)
    assert order.id  # the order select is small: still a select
    assert isinstance(form_for(rf_request, session, OrderItem).fields["order"].widget, forms.Select)


# Layout options, on an admin of their own.


class LayoutProductAdmin(ModelAdmin):
    fieldsets = (
        (None, {"fields": (("sku", "name"), "price")}),
        ("Stock", {"fields": ("stock", "is_active", "shelf_label"), "classes": ("wide",)}),
    )
    readonly_fields = ("shelf_label",)
    exclude = ("is_active",)

    def shelf_label(self, obj: Product) -> str:
        return f"<{obj.sku}>"


def test_fieldsets_exclude_and_readonly_fields(rf_request: Any, session: Session) -> None:
    layout_site = AdminSite(name="layout")
    layout_site.register(Product, LayoutProductAdmin)
    admin = layout_site.get_model_admin(Product)
    layout = build_layout(rf_request, admin, factories.product(session))
    assert list(layout.form_class.base_fields) == ["sku", "name", "price", "stock", "_version"]
    assert layout.readonly == ["shelf_label"]
    assert layout.fieldsets[1][1]["fields"] == ["stock", "shelf_label"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("fields", ("sku", "colour"), r"Unknown field\(s\) \(colour\) specified for Product"),
        ("fields", ("sku", "version_id"), "'version_id' cannot be specified"),
        ("exclude", ("colour",), r"Unknown field\(s\) \(colour\)"),
        ("readonly_fields", ("nothing_here",), r"Unknown field\(s\) \(nothing_here\)"),
    ],
)
def test_unknown_names_are_clear_errors(
    rf_request: Any, option: str, value: tuple[str, ...], message: str
) -> None:
    bad = type("BadAdmin", (ModelAdmin,), {option: value})
    bad_site = AdminSite(name="bad")
    bad_site.register(Product, bad)
    with pytest.raises(ImproperlyConfigured, match=message):
        build_layout(rf_request, bad_site.get_model_admin(Product), None)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "-"),
        ("", "-"),
        (True, "Yes"),
        (False, "No"),
        (Decimal("1234.50"), "1234.50"),
        (date(2030, 1, 2), "2030-01-02"),
        (datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), "2030-01-02 03:04:05 UTC"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("ftp://example.com/", "ftp://example.com/"),
        ("https://example.com/", '<a href="https://example.com/" rel="noopener noreferrer">'),
        ("http://exa mple.com", "http://exa mple.com"),  # not a valid URL: text
    ],
)
def test_read_only_values_and_only_http_links(value: Any, shown: str) -> None:
    assert str(display_value(value)).startswith(shown)
