"""SimpleListFilter: fixed, named choices backed by SQL, on the product list's stock level.

Only declared values reach a filter's where(); anything else is Django's `?e=1`. The
condition applies to the page, its count, the export and select-across actions alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from shop.admin import ModelAdmin
from shop.admin.changelist.simple_filter import SimpleListFilter, filter_class_problems
from shop.admin.checks import check_model_admin
from shop.models import Product
from shop.registrations import site
from shop.registrations.stock import StockLevelFilter
from tests import factories
from tests.action_helpers import messages_of
from tests.querycount import QueryCounter

PRODUCTS = "/admin/commerce/product/"


def pks(response: Any) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {int(pk) for pk in re.findall(r'<tr data-pk="(\d+)">', response.content.decode())}


@pytest.fixture
def stock(session: Session) -> dict[int, Product]:
    """Products by stock: 0, 1, 5 (low, at the line), 6 and 40 (in stock)."""
    return {level: factories.product(session, stock=level) for level in (0, 1, 5, 6, 40)}


def test_each_choice_lists_exactly_its_products(admin_client: Client, stock: dict) -> None:
    ids = {level: product.id for level, product in stock.items()}
    assert pks(admin_client.get(PRODUCTS, {"stock_level": "out"})) == {ids[0]}
    assert pks(admin_client.get(PRODUCTS, {"stock_level": "low"})) == {ids[0], ids[1], ids[5]}
    assert pks(admin_client.get(PRODUCTS, {"stock_level": "in"})) == {ids[6], ids[40]}
    assert pks(admin_client.get(PRODUCTS)) == set(ids.values())


def test_repeated_values_are_ored_and_combine_with_other_filters(
    admin_client: Client, session: Session, stock: dict
) -> None:
    stock[40].is_active = False
    session.flush()
    both = admin_client.get(f"{PRODUCTS}?stock_level=out&stock_level=in")
    assert pks(both) == {stock[0].id, stock[6].id, stock[40].id}
    active = admin_client.get(PRODUCTS, {"stock_level": "in", "is_active__exact": "1"})
    assert pks(active) == {stock[6].id}


@pytest.mark.parametrize("value", ["none", "LOW", "", "low'--", "0"])
def test_an_undeclared_value_is_refused_before_any_sql(
    admin_client: Client, stock: dict, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    original = StockLevelFilter.where
    monkeypatch.setattr(
        StockLevelFilter, "where", lambda self, v: seen.append(v) or original(self, v)
    )
    response = admin_client.get(PRODUCTS, {"stock_level": value})
    assert response.status_code == 302
    assert response.url == f"{PRODUCTS}?e=1"
    assert seen == []


def test_the_sidebar_offers_all_and_each_choice_with_the_current_one_selected(
    admin_client: Client, stock: dict
) -> None:
    page = admin_client.get(PRODUCTS, {"stock_level": "low", "q": "SKU"}).content.decode()
    section = page[page.index('data-filter-title="Stock level"') :]
    section = section[: section.index("</details>")]
    links = re.findall(r'<li( class="selected")?><a href="([^"]+)"[^>]*>([^<]+)</a>', section)
    assert [(bool(selected), label) for selected, _href, label in links] == [
        (False, "All"),
        (False, "Out of stock"),
        (True, "Low stock (≤ 5)"),
        (False, "In stock (&gt; 5)"),
    ]
    hrefs = [href for _selected, href, _label in links]
    assert hrefs[0] == "?q=SKU"  # "All" drops only this filter
    assert hrefs[1] == "?q=SKU&amp;stock_level=out"
    assert "Clear all filters" in page


def test_the_count_and_query_budget_do_not_depend_on_the_rows(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    for level in (0, 1, 2):
        factories.product(session, stock=level)
    with queries:
        small = admin_client.get(PRODUCTS, {"stock_level": "low"})
    few = len(queries)
    for _ in range(30):
        factories.product(session, stock=3)
    with queries:
        large = admin_client.get(PRODUCTS, {"stock_level": "low"})
    assert len(queries) == few
    assert "3 products" in small.content.decode()
    assert "33 products" in large.content.decode()


def test_export_reads_the_filtered_rows_only(admin_client: Client, stock: dict) -> None:
    response = admin_client.get(f"{PRODUCTS}export/", {"format": "csv", "stock_level": "out"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2
    assert stock[0].sku in lines[1]


def test_select_across_acts_on_the_filtered_rows_only(
    admin_client: Client, session: Session, stock: dict
) -> None:
    url = f"{PRODUCTS}?stock_level=low"
    data = {"action": "deactivate_products", "index": "0", "select_across": "1"}
    response = admin_client.post(url, data)
    assert messages_of(response) == ["3 products were deactivated."]
    session.expire_all()
    assert {level: session.get(Product, p.id).is_active for level, p in stock.items()} == {
        0: False,
        1: False,
        5: False,
        6: True,
        40: True,
    }


# The engine's checks


class Spy(SimpleListFilter):
    title = "spy"
    parameter_name = "spy"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        return (("a", "A"),)

    def where(self, value: str) -> ColumnElement[bool] | None:
        return None


def test_a_well_declared_filter_class_has_no_problems() -> None:
    assert filter_class_problems(StockLevelFilter) == []
    assert filter_class_problems(Spy) == []


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"title": ""}, "title is empty"),
        ({"parameter_name": "q"}, "parameter_name 'q'"),
        ({"parameter_name": "stock__lt"}, "parameter_name 'stock__lt'"),
        ({"parameter_name": "Stock"}, "parameter_name 'Stock'"),
        ({"parameter_name": ""}, "parameter_name ''"),
    ],
)
def test_misdeclared_filter_classes_are_reported(attributes: dict, expected: str) -> None:
    broken = type("Broken", (Spy,), attributes)
    [problem] = filter_class_problems(broken)
    assert expected in problem


def test_a_filter_without_lookups_or_where_and_a_non_filter_are_reported() -> None:
    bare = type("Bare", (SimpleListFilter,), {"title": "bare", "parameter_name": "bare"})
    assert filter_class_problems(bare) == [
        "list_filter: Bare does not implement lookups()",
        "list_filter: Bare does not implement where()",
    ]
    [problem] = filter_class_problems(object)
    assert "field paths or SimpleListFilter classes" in problem


def test_manage_py_check_reports_a_broken_filter_class() -> None:
    broken = type("Broken", (Spy,), {"parameter_name": "o"})
    admin_class = type("BrokenAdmin", (ModelAdmin,), {"list_filter": ("is_active", broken)})
    errors = check_model_admin(admin_class(Product, site))
    assert [error.id for error in errors] == ["admin.E400"]
    assert "Broken.parameter_name 'o'" in errors[0].msg
