"""The changelist's SELECT without its page: what an export reads.

The same options, parameters, filters, search, date hierarchy, ordering, display columns
and get_query() row scoping as the changelist, through the changelist's own code, but
none of its page queries (no COUNT, no page, no filter choices) and no LIMIT.

When every column is a column or an SQL expression (no `__str__`, no display method),
the export selects just those values, one result column per list_display entry, and
reads plain rows instead of building an object per row; on PostgreSQL its per-row
aggregate subqueries become LATERAL joins (shop.admin.export.aggregates). Otherwise it
reads the list's own rows (the entity and its labeled columns), as the changelist does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, QueryDict
from sqlalchemy import Select

from shop.admin.changelist import ChangeList
from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.ordering import default_terms, requested_terms, with_tiebreak
from shop.admin.changelist.params import ALL_VAR, PAGE_VAR, parse
from shop.admin.changelist.query import PageQuery, page_query
from shop.admin.export.aggregates import LATERAL_DIALECTS, lateral_aggregates

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

FORMAT_VAR = "format"
# Parameters that choose a page or a format, not rows: an export always has every row.
NOT_ROW_PARAMS = (FORMAT_VAR, PAGE_VAR, ALL_VAR)
# list_display kinds whose value the database gives (the others need the object).
VALUE_KINDS = frozenset({"path", "annotation"})


@dataclass(frozen=True)
class ExportPlan:
    """The statement to stream and how to read each of its rows."""

    statement: Select[Any]
    fields: Sequence[DisplayField]
    labels: dict[str, str]  # list_display name -> result column holding its value
    # True: each row holds the fields' values, in order; False: the entity, then labels.
    values: bool = False


class _UnpagedChangeList(ChangeList):
    """ChangeList up to its filtered SELECT: options, parameters, filters, search.

    ChangeList.__init__ would go on to count and fetch a page; this one stops before.
    """

    def __init__(self, request: HttpRequest, model_admin: ModelAdmin, query: QueryDict) -> None:
        self.request = request
        self.model_admin = self.opts = model_admin
        self.model = model_admin.model
        self._resolve_options()
        self.params = parse(query, self._param_spec())
        self.filtered = self._filtered()


def row_params(query: QueryDict) -> QueryDict:
    """The changelist parameters of `query`, without page, "show all" and format."""
    params = query.copy()
    for name in NOT_ROW_PARAMS:
        params.pop(name, None)
    return params


def export_plan(request: HttpRequest, model_admin: ModelAdmin) -> ExportPlan:
    """The changelist's rows for `request.GET`, unpaged; IncorrectLookupParameters if bad."""
    cl = _UnpagedChangeList(request, model_admin, row_params(request.GET))
    if cl.params.order is None:
        terms = default_terms(model_admin, request, cl.extra)
    else:
        terms = requested_terms(cl.fields, cl.params.order)
    built = page_query(cl.filtered, cl.model, cl.fields, with_tiebreak(cl.model, terms), cl.extra)
    fields = tuple(cl.fields)
    if all(field.kind in VALUE_KINDS for field in fields):
        statement = values_statement(built, cl.model, fields)
        if request.db.get_bind().dialect.name in LATERAL_DIALECTS:  # type: ignore[attr-defined]
            statement = lateral_aggregates(statement, cl.model)
        return ExportPlan(statement, fields, {}, values=True)
    return ExportPlan(built.statement, fields, built.labels)


def values_statement(built: PageQuery, model: type, fields: Sequence[DisplayField]) -> Select[Any]:
    """The list's SELECT (same FROM, joins, WHERE and ORDER BY) of the fields' values only."""
    selected = built.statement.selected_columns
    columns = []
    for field in fields:
        label = built.labels.get(field.name)
        if label is not None:
            columns.append(selected[label])
        else:  # a local column: the entity's own attribute
            assert field.path is not None
            columns.append(field.path.expression)
    # The model stays the first FROM (the joins start there) even if no column is its own.
    return built.statement.with_only_columns(*columns).select_from(model)
