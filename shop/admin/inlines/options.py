"""Inline options: Django admin's `TabularInline` / `StackedInline` over SQLAlchemy mappings.

An inline edits a parent's one-to-many children (or association objects) on the
parent's change page. Options and hooks keep Django's names; `obj` in every hook is the
parent (None on the add page). Permissions are the child model's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from shop.admin.inlines.relation import ParentRelation, resolve_relation
from shop.admin.options import ModelAdmin

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite

TABULAR_TEMPLATE = "admin/edit_inline/tabular.html"
STACKED_TEMPLATE = "admin/edit_inline/stacked.html"


class InlineModelAdmin(ModelAdmin):
    """Options for one kind of child row on a parent's page. Subclass and set `model`.

    Rows are read by `get_query(request)` filtered to the parent, with the relationships
    the rows show eager-loaded and every other one raising on access (no hidden query
    per row): a read-only method that needs more adds its loader in `get_query`.
    """

    model: type
    # The relationship to the parent when there are several: the parent's collection
    # ("items") or, as in Django, the child's many-to-one ("cart").
    fk_name: str | None = None
    template: str = TABULAR_TEMPLATE
    extra: int = 3
    min_num: int | None = None
    max_num: int | None = None
    can_delete: bool = True
    show_change_link: bool = False
    classes: Sequence[str] = ()
    # Rows per page: a parent with more children than this shows them one page at a
    # time (`?<prefix>-page=N`, shop.admin.inlines.paging) where Django renders them all,
    # with their count and a link to the child list filtered by the parent. A save edits
    # only the rows of the page it was made on. Each row is a form of several inputs: 20
    # keep a page within its time budget; the child list (and a course's grade book)
    # is the place for bulk edits.
    max_shown: int = 20
    # Fields read-only on rows that already exist but set on new rows (an order line's
    # product: its price was snapshotted from that product when the line was added).
    existing_readonly_fields: Sequence[str] = ()

    def __init__(self, parent_model: type, admin_site: AdminSite) -> None:
        model = getattr(type(self), "model", None)
        if not isinstance(model, type):
            raise ImproperlyConfigured(f"{type(self).__name__} needs a `model`")
        registered = admin_site.get_model_admin(model) if admin_site.is_registered(model) else None
        super().__init__(model, admin_site, app_label=registered.app_label if registered else None)
        if registered is not None and type(self).verbose_name is None:
            # The child's admin names it (and its permissions) as everywhere else.
            self.verbose_name = registered.verbose_name
            if type(self).verbose_name_plural is None:
                self.verbose_name_plural = registered.verbose_name_plural
        self.parent_model = parent_model
        self.relation: ParentRelation = resolve_relation(parent_model, model, self.fk_name)

    @property
    def prefix(self) -> str:
        return self.relation.prefix

    @property
    def child_admin(self) -> ModelAdmin | None:
        """The child model's own registered admin (its change pages and changelist)."""
        site = self.admin_site
        return site.get_model_admin(self.model) if site.is_registered(self.model) else None

    # Django's request-aware hooks; `obj` is the parent.

    def get_extra(self, request: HttpRequest, obj: Any = None) -> int:
        return self.extra

    def get_min_num(self, request: HttpRequest, obj: Any = None) -> int | None:
        return self.min_num

    def get_max_num(self, request: HttpRequest, obj: Any = None) -> int | None:
        return self.max_num

    def get_max_shown(self, request: HttpRequest, obj: Any = None) -> int:
        return self.max_shown

    def get_existing_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        return self.existing_readonly_fields

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        # The link to the parent is not a choice: the engine sets it.
        own = list(super().get_exclude(request, obj) or ())
        parent_field = self.relation.parent_field
        return [*own, parent_field] if parent_field and parent_field not in own else own

    def prepare_child(self, request: HttpRequest, parent: Any, child: Any, *, add: bool) -> None:
        """Called with a row's values set, before it is flushed (snapshot a price here)."""

    # Permissions: the child model's codenames ("commerce.change_cartitem").

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request)


class TabularInline(InlineModelAdmin):
    """Rows as a table: one line per child (Django's TabularInline)."""

    template = TABULAR_TEMPLATE


class StackedInline(InlineModelAdmin):
    """Rows one under another, each with its labels (Django's StackedInline)."""

    template = STACKED_TEMPLATE


def inline_instances(model_admin: ModelAdmin, request: HttpRequest, obj: Any) -> list[Any]:
    """The inlines of `model_admin` this user may see at all (Django's get_inline_instances)."""
    instances = []
    for inline_class in model_admin.get_inlines(request, obj):
        inline = inline_class(model_admin.model, model_admin.admin_site)
        if (
            inline.has_view_permission(request, obj)
            or inline.has_add_permission(request, obj)
            or inline.has_delete_permission(request, obj)
        ):
            instances.append(inline)
    return instances
