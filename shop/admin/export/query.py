"""The changelist's SELECT without its page: what an export reads.

The same options, parameters, filters, search, date hierarchy, ordering, display columns
and get_query() row scoping as the changelist, through the changelist's own code, but
none of its page queries (no COUNT, no page, no filter choices) and no LIMIT.
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
from shop.admin.changelist.query import page_query

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

FORMAT_VAR = "format"
# Parameters that choose a page or a format, not rows: an export always has every row.
NOT_ROW_PARAMS = (FORMAT_VAR, PAGE_VAR, ALL_VAR)


@dataclass(frozen=True)
class ExportPlan:
    """The statement to stream and how to read each of its rows."""

    statement: Select[Any]
    fields: Sequence[DisplayField]
    labels: dict[str, str]  # list_display name -> result column holding its value


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
    return ExportPlan(built.statement, tuple(cl.fields), built.labels)
