"""The delete preview: counts per model, the first rows of each, blockers, missing perms.

Query budget, whatever the size of the graph below the object: one statement counts
every affected table (one scalar subquery each), then one LIMITed query per non-empty
mapped table loads the first rows to show. Association tables (no mapped class) are
only counted: their rows are links, not objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import camel_case_to_spaces, capfirst
from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Mapper, Session, raiseload

from shop.admin.audit import entity_id
from shop.admin.deletion.clauses import ClauseBuilder
from shop.admin.deletion.graph import Graph, build_graph, mapper_for_table
from shop.admin.options_base import pluralize

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

# Rows shown per model; the rest is a count ("and 57 more").
ROWS_PER_MODEL = 10


@dataclass
class Row:
    label: str
    url: str | None = None


@dataclass
class Group:
    """The rows of one table that a delete removes (or that block it)."""

    table: Table
    name: str  # plural display name, "Pets"
    verbose_name: str  # singular, "pet" (Django's perms_lacking wording)
    count: int
    rows: list[Row] = field(default_factory=list)
    mapper: Mapper[Any] | None = None
    model_admin: ModelAdmin | None = None

    @property
    def is_links(self) -> bool:
        """An association table: its rows are links between objects, not objects."""
        return self.mapper is None

    @property
    def more(self) -> int:
        return self.count - len(self.rows) if self.rows else 0


@dataclass
class Preview:
    deleted: list[Group]  # the object's own table first
    protected: list[Group]
    perms_needed: list[str]
    truncated: bool

    @property
    def refused(self) -> bool:
        return bool(self.protected or self.perms_needed)

    @property
    def summary(self) -> list[tuple[str, int]]:
        """Django's "Summary": (model, count) for every table that loses rows."""
        return [(group.name, group.count) for group in self.deleted if group.count]

    def audit_changes(self) -> list[tuple[str, str | None, str | None]]:
        """Detail rows for the deletion's audit record: what went with the object."""
        return [
            (f"cascade:{group.table.name}", str(group.count), None)
            for group in self.deleted[1:]
            if group.count
        ]


def collect(
    session: Session, request: HttpRequest, model_admin: ModelAdmin, obj: Any, *, rows: bool = True
) -> Preview:
    """What deleting `obj` implies; `rows=False` skips loading the rows to display."""
    builder = ClauseBuilder(graph_of(model_admin), obj)
    return collect_from(session, request, model_admin, builder, obj, rows=rows)


def graph_of(model_admin: ModelAdmin) -> Graph:
    mapper = model_admin.mapper
    return build_graph(mapper.local_table, mapper.registry)  # type: ignore[arg-type]


def collect_from(
    session: Session,
    request: HttpRequest,
    model_admin: ModelAdmin,
    builder: ClauseBuilder,
    obj: Any = None,
    *,
    rows: bool = True,
) -> Preview:
    """What deleting the builder's root rows implies: `obj`, or (obj None) a selection of
    rows (delete_selected), whose own rows are then counted and listed like the others."""
    graph = builder.graph
    deleted = {table: builder.deleted(table) for table in graph.deleted_tables}
    blocked = {table: builder.blocked(table) for table in graph.blocked_tables}
    # The root's table needs counting only when a cascade leads back into it (a tree).
    tree = bool(graph.incoming[graph.root]) or obj is None
    to_count = {("deleted", t): c for t, c in deleted.items() if tree or t is not graph.root}
    to_count.update({("blocked", t): c for t, c in blocked.items()})
    counts = {("deleted", graph.root): 1, **_count(session, to_count)}
    groups = _groups(model_admin, deleted, "deleted", counts)
    protected = [g for g in _groups(model_admin, blocked, "blocked", counts) if g.count]
    preview = Preview(groups, protected, _perms_needed(request, groups[1:]), builder.truncated)
    if not rows or preview.perms_needed:
        return preview  # the refusal for lack of permissions lists model names only
    if protected:
        _load_rows(session, request, protected, blocked)  # the page shows the blockers only
    else:
        _load_rows(session, request, groups if tree else groups[1:], deleted)
        if not tree:
            groups[0].rows = [_row(model_admin.admin_site, request, obj)]
    return preview


Key = tuple[str, Table]


def _groups(
    model_admin: ModelAdmin,
    conditions: dict[Table, ColumnElement[bool]],
    kind: str,
    counts: dict[Key, int],
) -> list[Group]:
    site, registry = model_admin.admin_site, model_admin.mapper.registry
    return [_group(site, registry, table, counts.get((kind, table), 0)) for table in conditions]


def _count(session: Session, conditions: dict[Key, ColumnElement[bool]]) -> dict[Key, int]:
    """Every count in ONE statement: a scalar subquery per table."""
    if not conditions:
        return {}
    keys = list(conditions)
    columns = [
        select(func.count()).select_from(table).where(conditions[(kind, table)]).scalar_subquery()
        for kind, table in keys
    ]
    values = session.execute(select(*columns)).one()
    return {key: int(value or 0) for key, value in zip(keys, values, strict=True)}


def _group(site: Any, registry: Any, table: Table, count: int) -> Group:
    mapper = mapper_for_table(registry, table)
    model_admin = None
    if mapper is not None and site.is_registered(mapper.class_):
        model_admin = site.get_model_admin(mapper.class_)
    if model_admin is not None:
        singular, plural = model_admin.verbose_name, model_admin.verbose_name_plural
    elif mapper is not None:
        singular = camel_case_to_spaces(mapper.class_.__name__)
        plural = pluralize(singular)
    else:
        singular = plural = table.name.replace("_", " ")
    return Group(table, capfirst(plural), singular, count, mapper=mapper, model_admin=model_admin)


def _load_rows(
    session: Session,
    request: HttpRequest,
    groups: list[Group],
    conditions: dict[Table, ColumnElement[bool]],
) -> None:
    """The first rows of each non-empty mapped table, one LIMITed query per table."""
    for group in groups:
        if not group.count or group.mapper is None:
            continue
        cls = group.mapper.class_
        condition = conditions[group.table]
        statement = (
            select(cls)
            .where(condition)
            .order_by(*group.mapper.primary_key)
            .limit(ROWS_PER_MODEL)
            .options(raiseload("*"))
        )
        site = group.model_admin.admin_site if group.model_admin else None
        group.rows = [_row(site, request, row) for row in session.scalars(statement)]


def _row(site: Any, request: HttpRequest, obj: Any) -> Row:
    return Row(label=_label(obj), url=_change_url(site, request, obj))


def _label(obj: Any) -> str:
    # __str__ may reach for a relationship: raiseload refuses (no N+1), the pk stands in.
    try:
        return str(obj)
    except InvalidRequestError:
        return f"{type(obj).__name__} #{entity_id(obj)}"


def _change_url(site: Any, request: HttpRequest, obj: Any) -> str | None:
    cls = sa_inspect(obj).mapper.class_
    if site is None or not site.is_registered(cls):
        return None
    model_admin = site.get_model_admin(cls)
    if not model_admin.has_view_permission(request, obj):
        return None
    try:
        return reverse(
            f"admin:{model_admin.url_prefix}_change",
            args=[entity_id(obj)],
            current_app=site.name,
        )
    except NoReverseMatch:
        return None


def _perms_needed(request: HttpRequest, groups: list[Group]) -> list[str]:
    """Registered models the delete would remove rows of, that this user may not delete."""
    return [
        group.verbose_name
        for group in groups
        if group.count
        and group.model_admin is not None
        and not group.model_admin.has_delete_permission(request)
    ]
