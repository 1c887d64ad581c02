"""ChangeList: one changelist page, computed up front for the template.

Queries, in order and each at most once: the count(s), the page rows, one per related
or distinct-values filter, one for the date hierarchy. None depends on the rows shown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import or_

from shop.admin.changelist import datehierarchy, headers, page, pagination, search, seek
from shop.admin.changelist.config import (
    resolve_date_hierarchy,
    resolve_display_field,
    resolve_filter_entry,
    resolve_search_field,
)
from shop.admin.changelist.display import change_urls, result_row
from shop.admin.changelist.filters import FilterContext, FilterSpec, build_filter_spec
from shop.admin.changelist.navigation import Navigation
from shop.admin.changelist.ordering import (
    default_terms,
    requested_terms,
    sorted_columns,
    with_tiebreak,
)
from shop.admin.changelist.params import (
    ParamSpec,
    parse,
)
from shop.admin.changelist.query import Branches, keys_query, query_labels
from shop.admin.changelist.simple_filter import bind_filters

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


class ChangeList(Navigation):
    """Everything change_list.html shows; IncorrectLookupParameters for a bad query string."""

    def __init__(
        self, request: HttpRequest, model_admin: ModelAdmin, *, ignore_params: bool = False
    ) -> None:
        self.request = request
        self.model_admin = self.opts = model_admin
        self.model = model_admin.model
        self.session = request.db  # type: ignore[attr-defined]
        self._resolve_options()
        self.params = parse(request.GET, self._param_spec(), ignore_filters=ignore_params)
        self.error_note = self.params.error_flag
        self.query = self.params.search
        self.filtered = self._filtered()
        self._load_results()
        self.headers = headers.build(
            self.fields,
            self.sortable,
            sorted_columns(self.fields, self.params.order, self.default_ordering),
            self.get_query_string,
        )
        self.filter_specs = self._filter_specs()
        self.date_hierarchy = self._date_hierarchy()

    @property
    def dialect(self) -> str:
        return self.request.db.get_bind().dialect.name  # type: ignore[attr-defined,no-any-return]

    # Options

    def _resolve_options(self) -> None:
        admin, request = self.model_admin, self.request
        self.base = admin.get_query(request)
        self.extra = query_labels(self.base, self.model)
        names = list(admin.get_list_display(request))
        self.fields = [resolve_display_field(admin, name, self.extra) for name in names]
        self.links = set(admin.get_list_display_links(request, names))
        sortable_by = admin.get_sortable_by(request)
        self.sortable = tuple(
            field.order_name is not None and (sortable_by is None or field.name in sortable_by)
            for field in self.fields
        )
        self.filter_entries = list(admin.get_list_filter(request))
        self.simple_filters = bind_filters(request, admin, self.filter_entries)
        self.search_fields = [
            resolve_search_field(self.model, spec) for spec in admin.get_search_fields(request)
        ]
        name = admin.date_hierarchy
        self.date_path = resolve_date_hierarchy(self.model, name) if name else None

    def _param_spec(self) -> ParamSpec:
        chains = set()
        for entry in self.filter_entries:
            if entry in self.simple_filters:
                continue  # a filter class: its own where(), no path to walk
            resolved = resolve_filter_entry(self.model, entry)
            chains.add(tuple(rel.key for rel in resolved.relationships))
        if self.date_path is not None:
            chains.add(tuple(rel.key for rel in self.date_path.relationships))
        mapper = self.model_admin.mapper
        pk_name = mapper.get_property_by_column(mapper.primary_key[0]).key
        simple = {bound.parameter_name: bound for bound in self.simple_filters.values()}
        return ParamSpec(
            self.model,
            self.sortable,
            frozenset(chains),
            self.model_admin.date_hierarchy,
            pk_name,
            simple,
        )

    # Query

    def _filtered(self) -> Any:
        """The list's rows: filters, date drill-down and search (also as branches)."""
        statement = self.base
        for lookup in self.params.lookups:
            statement = statement.where(lookup.condition)
        if self.date_path is not None and self.params.date:
            statement = statement.where(
                datehierarchy.range_condition(self.model, self.date_path, self.params.date)
            )
        found = search.search(self.model, self.search_fields, self.params.search, self.dialect)
        self.branches = None
        if found.branches:
            self.branches = Branches(statement.where(*found.rest), found.branches)
        return statement if found.condition is None else statement.where(found.condition)

    def _load_results(self) -> None:
        keys = keys_query(self.filtered, self.model, self.branches)
        result, full = pagination.count(
            self.session, self.base, keys, self.model_admin, self.params
        )
        self.pagination = pagination.plan(self.model_admin, self.params, result, full)
        default = default_terms(self.model_admin, self.request, self.extra)
        self.default_ordering = default
        if self.params.order is None:
            terms = default
        else:
            terms = requested_terms(self.fields, self.params.order)
        terms = with_tiebreak(self.model, terms)
        self.seek_key = seek.seek_key(self.model, terms)
        spec = page.PageSpec(
            self.base,
            self.walked,
            self.model,
            self.fields,
            terms,
            self.extra,
            self.branches,
            small=self.params.is_filtered and self._few(),
        )
        found = page.fetch(
            self.session, spec, self.pagination, self.seek_key, self.params.cursor, self.dialect
        )
        rows = found.rows
        link = change_urls(self.model_admin, self.preserved_filters)
        self.results = [
            result_row(self.fields, self.links, row, found.labels, link(row[0])) for row in rows
        ]
        # The page's objects, as in Django (list_editable and action rows read their keys
        # and versions from the very rows shown).
        self.result_list = [row[0] for row in rows]

    # Links and template data

    def _filter_specs(self) -> list[FilterSpec]:
        context = FilterContext(
            self.request,
            self.session,
            self.model_admin,
            self.params.kept,
            datetime.now(UTC).date(),
        )
        return [
            build_filter_spec(context, self.simple_filters.get(entry, entry))
            for entry in self.filter_entries
        ]

    def _date_hierarchy(self) -> datehierarchy.DateHierarchy | None:
        if self.date_path is None:
            return None
        return datehierarchy.build(
            self.session,
            self.walked,
            self.model,
            self.date_path,
            self.params.date,
            self.params.kept,
            self.dialect,
            self._few_rows(),
        )

    def _few(self) -> bool:
        """The count showed the listed rows to be few: read them all rather than probe."""
        exact = self.pagination.result_count.exact
        return exact is not None and exact <= self.model_admin.count_cap

    def _few_rows(self) -> Any:
        """The listed rows when they are few (as a search's branches, where it has them)."""
        if not self._few():
            return None
        if self.branches is not None and self.date_path and self.date_path.is_local:
            return self.branches
        return self.filtered

    @property
    def walked(self) -> Any:
        """The listed rows as read along an index: a search's branches become an OR, which
        the database checks row by row (with each branch's keys hashed once), so a page of
        a large result stops early instead of collecting every match first."""
        if self.branches is None:
            return self.filtered
        return self.branches.narrowed.where(or_(*self.branches.conditions))

    @property
    def title(self) -> str:
        action = "change" if self.model_admin.has_change_permission(self.request) else "view"
        return f"Select {self.model_admin.verbose_name} to {action}"

    @property
    def has_filters(self) -> bool:
        return bool(self.filter_specs)

    @property
    def has_active_filters(self) -> bool:
        return bool(self.params.lookups or self.params.date)

    @property
    def is_filtered(self) -> bool:
        return self.params.is_filtered

    @property
    def num_sorted_fields(self) -> int:
        return sum(1 for header in self.headers if header.sorted)
