"""Autocomplete: pages of a related model's rows matching a search, for large-table choosers.

`/admin/autocomplete/?app_label=&model_name=&field_name=&term=&page=` answers, as Django's
AutocompleteJsonView does, `{"results": [{"id", "text"}], "pagination": {"more"}}`.
The source model and field only pick *which* related model is searched; what is returned
is that model's own admin rows (its `get_query` scoping, its `search_fields`, its
ordering), and only to a user with view permission on it.

The source field may be a many-to-one or many-to-many relationship of the source model,
or a relationship path among its `list_filter` entries (the filter sidebar uses it too).
One query per page: LIMIT page size + 1 tells whether there is more, with no COUNT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest
from sqlalchemy.orm import Session

from shop.admin.changelist.config import ChangeListConfigError, resolve_search_field
from shop.admin.changelist.params import IncorrectLookupParameters
from shop.admin.changelist.search import search_condition
from shop.admin.related_rows import chooser_relationship, related_rows_statement

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin
    from shop.admin.sites import AdminSite

PAGE_SIZE = 20  # Django's AutocompleteJsonView.paginate_by
MAX_PAGE = 1000  # deeper than anyone scrolls; refuses absurd offsets
MAX_TERM_LENGTH = 200


@dataclass(frozen=True)
class AutocompleteSource:
    """The field being filled in, and the admin of the model whose rows fill it."""

    source: ModelAdmin
    field_name: str
    remote: ModelAdmin


def _filter_relation_target(source: ModelAdmin, request: HttpRequest, name: str) -> type | None:
    """The model a relationship-path entry of list_filter leads to (`pet__owner` -> Owner)."""
    from shop.admin.changelist.config import RelationPath, resolve_filter_entry

    if name not in source.get_list_filter(request):
        return None
    try:
        resolved = resolve_filter_entry(source.model, name)
    except ChangeListConfigError:
        return None
    return resolved.last.mapper.class_ if isinstance(resolved, RelationPath) else None


def _target_model(source: ModelAdmin, request: HttpRequest, field_name: str) -> type | None:
    prop = chooser_relationship(source.mapper, field_name)
    if prop is not None:
        return prop.mapper.class_  # type: ignore[no-any-return]
    return _filter_relation_target(source, request, field_name)


def resolve_source(site: AdminSite, request: HttpRequest) -> AutocompleteSource:
    """Check the query string's source (Django's rules: unknown → 403) and permissions."""
    params = request.GET
    names = (params.get("app_label"), params.get("model_name"), params.get("field_name"))
    if not all(names):
        raise PermissionDenied
    app_label, model_name, field_name = names
    source = site.find_model_admin(str(app_label), str(model_name))
    if source is None:
        raise PermissionDenied
    target = _target_model(source, request, str(field_name))
    if target is None or not site.is_registered(target):
        raise PermissionDenied
    remote = site.get_model_admin(target)
    if not remote.get_search_fields(request):
        raise Http404(f"{type(remote).__name__} must have search_fields for the autocomplete.")
    if not remote.has_view_permission(request):
        raise PermissionDenied
    return AutocompleteSource(source, str(field_name), remote)


def parse_page(raw: str | None) -> int:
    """`page` is 1-based, as in Django; anything else is a 400."""
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"page must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def search_page(
    session: Session, request: HttpRequest, found: AutocompleteSource, term: str, page: int
) -> tuple[list[Any], bool]:
    """One page of the remote admin's rows matching `term`, and whether more follow."""
    remote = found.remote
    if len(term) > MAX_TERM_LENGTH:
        raise BadRequest(f"The search text is longer than {MAX_TERM_LENGTH} characters.")
    fields = [
        resolve_search_field(remote.model, spec) for spec in remote.get_search_fields(request)
    ]
    statement = related_rows_statement(remote.admin_site, remote.model, request)
    try:
        dialect = session.get_bind().dialect.name
        condition = search_condition(remote.model, fields, term, dialect)
    except IncorrectLookupParameters as exc:
        raise BadRequest(str(exc)) from None
    if condition is not None:
        statement = statement.where(condition)
    statement = statement.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    rows = list(session.scalars(statement))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
