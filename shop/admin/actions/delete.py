"""delete_selected: Django's built-in action, with the single delete page's cascade preview.

The preview is the delete page's (counts per model, the first rows of each, blockers,
missing permissions), rooted at the selection - a SELECT of keys - instead of one object,
so it costs the same few statements for three rows or for every row a filter matches.
The confirmation carries the selection (ids, or select_across with the list's query
string) and answers `post=yes`, as Django's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from sqlalchemy import ColumnElement, FromClause, Select, select

from shop.admin.actions.base import CONFIRM
from shop.admin.actions.pages import page_context
from shop.admin.actions.selection import Selection, key_in
from shop.admin.actions.writer import ActionWriter
from shop.admin.decorators import action
from shop.admin.deletion.clauses import MAX_TERMS, ClauseBuilder
from shop.admin.deletion.graph import Edge, Graph
from shop.admin.deletion.preview import Preview, collect_from, graph_of

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


class SelectionClauseBuilder(ClauseBuilder):
    """The delete conditions rooted at a selection of rows (a SELECT of their keys)."""

    def __init__(self, graph: Graph, keys: Select[Any]) -> None:
        # No object: the base class's per-object state (obj, state) is never read here.
        self.graph = graph
        self.keys = keys
        self.budget = MAX_TERMS
        self.truncated = graph.truncated

    def _is_root(self, source: FromClause) -> ColumnElement[bool]:
        columns = [source.c[column.key] for column in self.graph.root.primary_key.columns]
        return key_in(columns, self.keys)

    def _via(self, edge: Edge, source: FromClause, depth: int) -> ColumnElement[bool]:
        if edge.parent is self.graph.root and not self.graph.incoming[edge.parent]:
            # The parents are the selected rows themselves: a subquery, not literal values.
            root = self.graph.root.alias()
            children = [source.c[child.key] for child, _parent in edge.pairs]
            parents = select(*(root.c[parent.key] for _c, parent in edge.pairs))
            return key_in(children, parents.where(self._is_root(root)))
        return super()._via(edge, source, depth)


def preview_selection(
    request: HttpRequest, model_admin: ModelAdmin, selection: Selection, *, rows: bool = True
) -> Preview:
    builder = SelectionClauseBuilder(graph_of(model_admin), selection.keys())
    return collect_from(selection.session, request, model_admin, builder, rows=rows)


def objects_name(model_admin: ModelAdmin, count: int) -> str:
    """Django's model_ngettext: the singular for one row, else the plural."""
    return str(model_admin.verbose_name if count == 1 else model_admin.verbose_name_plural)


@action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
def delete_selected(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> HttpResponse | None:
    """Show what goes with the selected rows; with `post=yes`, delete them (Django's action)."""
    if request.POST.get(CONFIRM) == "yes":
        preview = preview_selection(request, model_admin, selection, rows=False)
        if not preview.protected:
            if preview.perms_needed:
                raise PermissionDenied  # the page said so: a forged POST gets 403, as Django
            _delete(request, model_admin, selection)
            return None
    return render_confirmation(request, model_admin, selection)


def _delete(request: HttpRequest, model_admin: ModelAdmin, selection: Selection) -> None:
    writer = ActionWriter(request, model_admin)
    with writer.atomic():
        found = 0
        # No raiseload: the ORM's own cascades may load what they delete.
        for batch in selection.batches(options=()):
            for obj in batch:
                found += 1
                selection.check_seen(obj)
                writer.delete(obj)
        selection.check_complete(found)
    if writer.deleted:
        name = objects_name(model_admin, writer.deleted)
        messages.success(request, f"Successfully deleted {writer.deleted} {name}.")
    return


def render_confirmation(
    request: HttpRequest, model_admin: ModelAdmin, selection: Selection, *, status: int = 200
) -> HttpResponse:
    """Django's delete_selected_confirmation page, from the cascade preview."""
    preview = preview_selection(request, model_admin, selection)
    count = preview.deleted[0].count
    name = objects_name(model_admin, count)
    refused = bool(preview.perms_needed or preview.protected)
    context = {
        **page_context(request, model_admin, selection),
        "title": f"Cannot delete {name}" if refused else "Delete multiple objects",
        "objects_name": name,
        "preview": preview,
        "count": count,
    }
    template = model_admin.template_names("delete_selected_confirmation.html")
    return TemplateResponse(request, template, context, status=status)
