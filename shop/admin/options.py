"""Per-model admin options: Django admin's vocabulary for a SQLAlchemy mapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import update_wrapper
from typing import TYPE_CHECKING, Any, Literal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.text import camel_case_to_spaces
from django.views.generic import RedirectView
from sqlalchemy import Table

from shop.admin.options_base import default_app_label, mapper_of, pluralize

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite

ACTIONS = ("add", "change", "delete", "view")


CountStrategy = Literal["exact", "estimate", "none"]


class ModelAdmin:
    """How one mapped class appears in the admin. Subclass and override the attributes.

    Names and meanings follow Django admin. Field names are mapper attribute names or
    `relationship__attribute` paths; computed columns are hybrid properties (SQL
    expressions) or names of ModelAdmin methods decorated with `@display`.
    """

    verbose_name: str | None = None
    verbose_name_plural: str | None = None

    # Changelist
    list_display: Sequence[str] = ("__str__",)
    list_display_links: Sequence[str] | None = ()  # () = the first column; None = no links
    list_filter: Sequence[Any] = ()
    search_fields: Sequence[str] = ()  # "^name" starts with, "=email" exact, "name" contains
    ordering: Sequence[str] | None = None  # e.g. ("-created_at",); the pk breaks ties
    sortable_by: Sequence[str] | None = None  # None = every sortable column
    list_per_page: int = 100
    list_max_show_all: int = 200
    show_full_result_count: bool = True
    # "estimate": count at most `count_cap` rows ("10,000+"), and show PostgreSQL's
    # estimate of a bigger table when the list is unfiltered ("about 1,000,000");
    # "exact": always COUNT(*) to the end; "none": never count the unfiltered table.
    count_strategy: CountStrategy = "estimate"
    count_cap: int = 10_000
    date_hierarchy: str | None = None
    preserve_filters: bool = True

    # Change form
    fields: Sequence[str] | None = None
    fieldsets: Sequence[tuple[str | None, dict[str, Any]]] | None = None
    exclude: Sequence[str] = ()
    readonly_fields: Sequence[str] = ()
    save_as: bool = False
    save_as_continue: bool = True
    save_on_top: bool = False
    # Many-to-one fields whose related table is larger than this render as an autocomplete
    # (or a raw id input when the related model has no admin search), never as a
    # full-table dropdown.
    fk_select_limit: int = 100

    # Autocomplete: relationships (many-to-one or many-to-many) always edited through
    # /admin/autocomplete/, over the related model's admin search_fields, as in Django.
    autocomplete_fields: Sequence[str] = ()

    def __init__(self, model: type, admin_site: AdminSite, *, app_label: str | None = None):
        self.model = model
        self.admin_site = admin_site
        self.mapper = mapper_of(model)
        self.app_label = app_label or default_app_label(model)
        self.object_name = model.__name__
        self.model_name = model.__name__.lower()
        # Instance attributes, so a subclass that sets only verbose_name gets its plural.
        self.verbose_name = self.verbose_name or camel_case_to_spaces(model.__name__)
        self.verbose_name_plural = self.verbose_name_plural or pluralize(self.verbose_name)

    # Request-aware hooks, as in Django admin.

    def get_list_display(self, request: HttpRequest) -> Sequence[str]:
        return self.list_display

    def get_list_display_links(
        self, request: HttpRequest, list_display: Sequence[str]
    ) -> Sequence[str]:
        if self.list_display_links is None:
            return ()
        return self.list_display_links or tuple(list_display[:1])

    def get_list_filter(self, request: HttpRequest) -> Sequence[Any]:
        return self.list_filter

    def get_search_fields(self, request: HttpRequest) -> Sequence[str]:
        return self.search_fields

    def get_ordering(self, request: HttpRequest) -> Sequence[str]:
        return self.ordering or ()

    def get_sortable_by(self, request: HttpRequest) -> Sequence[str] | None:
        return self.sortable_by

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str] | None:
        return self.fields

    def get_fieldsets(
        self, request: HttpRequest, obj: Any = None
    ) -> Sequence[tuple[str | None, dict[str, Any]]] | None:
        return self.fieldsets

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        return self.exclude

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        return self.readonly_fields

    def get_autocomplete_fields(self, request: HttpRequest) -> Sequence[str]:
        return self.autocomplete_fields

    def get_query(self, request: HttpRequest) -> Any:
        """The base SELECT of this model's rows (override to scope rows per user)."""
        from sqlalchemy import select

        return select(self.model)

    def template_names(self, name: str) -> list[str]:
        """Most specific first: admin/<app>/<model>/name, admin/<app>/name, admin/name."""
        return [
            f"admin/{self.app_label}/{self.model_name}/{name}",
            f"admin/{self.app_label}/{name}",
            f"admin/{name}",
        ]

    def get_urls(self) -> list[URLPattern]:
        """This model's pages, under /admin/<app>/<model>/, with Django admin's names."""
        from shop.admin.views import change, changelist, delete, export, history, object_actions

        info = self.url_prefix
        return [
            path("", self._wrap(changelist.changelist_view), name=f"{info}_changelist"),
            path("add/", self._wrap(change.add_view), name=f"{info}_add"),
            path("export/", self._wrap(export.export_view), name=f"{info}_export"),
            path(
                "<path:object_id>/history/",
                self._wrap(history.history_view),
                name=f"{info}_history",
            ),
            path("<path:object_id>/delete/", self._wrap(delete.delete_view), name=f"{info}_delete"),
            path(
                "<path:object_id>/actions/",
                self._wrap(object_actions.object_action_view),
                name=f"{info}_actions",
            ),
            path("<path:object_id>/change/", self._wrap(change.change_view), name=f"{info}_change"),
            # Django admin's old-style object URL: send it to the change page.
            path(
                "<path:object_id>/",
                self._wrap(RedirectView.as_view(pattern_name=f"admin:{info}_change")),
            ),
        ]

    def _wrap(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Give the view this ModelAdmin and put it behind the site's staff check."""

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if isinstance(view, type) or getattr(view, "view_class", None):
                return view(request, *args, **kwargs)
            return view(request, self, *args, **kwargs)

        return self.admin_site.admin_view(update_wrapper(inner, view))

    @property
    def url_prefix(self) -> str:
        """URL name prefix: `admin:<prefix>_changelist` and so on."""
        return f"{self.app_label}_{self.model_name}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.app_label}.{self.model_name}>"

    @property
    def table(self) -> Table:
        """The table that holds this model's rows (what the index counts)."""
        return self.mapper.local_table  # type: ignore[return-value]

    # Permissions: Django's codenames ("social.view_user"), checked by Django's auth
    # backends, so superusers pass and staff get exactly what their groups grant.

    def get_permission_codename(self, action: str) -> str:
        return f"{action}_{self.model_name}"

    def _has_perm(self, request: HttpRequest, action: str) -> bool:
        codename = self.get_permission_codename(action)
        return request.user.has_perm(f"{self.app_label}.{codename}")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # As in Django admin: whoever may change a record may also look at it.
        return self._has_perm(request, "view") or self._has_perm(request, "change")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._has_perm(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_perm(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_perm(request, "delete")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_module_perms(self.app_label)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        """Which of add/change/delete/view the user has (templates show links from this)."""
        return {
            "add": self.has_add_permission(request),
            "change": self.has_change_permission(request),
            "delete": self.has_delete_permission(request),
            "view": self.has_view_permission(request),
        }

    # Custom forms and saving: Django admin's `form`, `save_model` and `save_related`.
    #
    # `form` is the base class of the generated add/change form (a subclass of
    # shop.admin.forms.factory.AdminModelForm). A field it declares under a mapped
    # attribute's name replaces the generated field (and is still saved to the column);
    # any other declared field (a password confirmation, a small many-to-many chooser)
    # appears where fields/fieldsets name it, is disabled where the page is read-only,
    # and is saved by `save_related`. Its `__init__` sets those fields' initial values
    # from `self.instance` and `self.session`.
    form: type[Any] | None = None

    def get_form_base(self, request: HttpRequest, obj: Any = None) -> type[Any] | None:
        """The form base for this request and object (None: the plain AdminModelForm)."""
        return self.form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Called with the form's values set on `obj`, before the flush; adds a new object."""
        if not change:
            request.db.add(obj)  # type: ignore[attr-defined]

    def save_related(
        self, request: HttpRequest, form: Any, obj: Any, change: bool
    ) -> list[tuple[str, str | None, str | None]]:
        """Save what the form edits beyond `obj`'s columns (`obj` has its id by now).

        Runs in the same transaction, before the commit. Returns the audit details
        (field, old text, new text) of those changes, written with `obj`'s own record.
        By default: the members added to and removed from many-to-many relationships.
        """
        from shop.admin.forms.m2m import save_many_to_many

        return save_many_to_many(request.db, form, obj)  # type: ignore[attr-defined]

    # Actions and list_editable (Django's names; see shop/admin/actions/ and
    # shop/admin/changelist/editable.py). `actions`: ModelAdmin method names or functions
    # decorated with @action, offered after the site-wide delete_selected; None turns
    # every action off. `list_editable`: list_display columns edited in the list itself.
    actions: Sequence[Any] | None = ()
    actions_on_top: bool = True
    actions_on_bottom: bool = False
    actions_selection_counter: bool = True
    list_editable: Sequence[str] = ()
    # Django's get_changelist_form: an AdminModelForm subclass whose clean() checks each
    # list_editable row (it sees only the row's editable columns).
    changelist_form: type[Any] | None = None

    def get_changelist_form(self, request: HttpRequest) -> type[Any] | None:
        return self.changelist_form

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., Any], str, str]]:
        """name -> (function, name, description) of the actions this user may run."""
        from shop.admin.actions.base import get_actions

        return get_actions(self, request)

    def get_action_choices(self, request: HttpRequest) -> list[tuple[str, str]]:
        from shop.admin.actions.base import action_choices

        return action_choices(self.get_actions(request))

    def get_object_actions(
        self, request: HttpRequest, obj: Any
    ) -> dict[str, tuple[Callable[..., Any], str, str]]:
        """The actions offered on `obj`'s change page (by default, the list's)."""
        return self.get_actions(request)

    def message_user(self, request: HttpRequest, message: str, level: int = messages.INFO) -> None:
        messages.add_message(request, level, message)

    # Inlines (see shop/admin/inlines/): child rows edited on this model's change page,
    # as Django's `inlines = [CartItemInline]` of TabularInline/StackedInline classes.
    inlines: Sequence[type[Any]] = ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Sequence[type[Any]]:
        return self.inlines

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        """The inlines this user may see on `obj`'s page (the add page when None)."""
        from shop.admin.inlines.options import inline_instances

        return inline_instances(self, request, obj)
