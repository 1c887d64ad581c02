"""The admin site: a registry of ModelAdmins and the site-wide URLs (Django admin's names)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, include, path, re_path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from shop.admin import applist
from shop.admin.audit import AuditLog
from shop.admin.options import ModelAdmin, default_app_label
from shop.admin.pages import PageLink, SitePage, page_links

# An app label becomes a URL segment and must not shadow a site-wide page.
APP_LABEL_RE = re.compile(r"[a-z_][a-z0-9_]*")
RESERVED_LABELS = frozenset({"login", "logout", "password_change", "autocomplete", "r", "jsi18n"})


class AlreadyRegistered(Exception):
    """The model is already registered with this site."""


class NotRegistered(Exception):
    """The model is not registered with this site."""


class AdminSite:
    site_header = "Shop admin"
    site_title = "Shop admin"
    index_title = "Site administration"

    def __init__(self, name: str = "admin") -> None:
        self.name = name
        self._registry: dict[type, ModelAdmin] = {}
        # Display names of the domains; a label not listed here is shown capitalized.
        self.app_names: dict[str, str] = {}
        # Where add/change/delete/action records go; set by the domain's registrations.
        self.audit_log: AuditLog | None = None
        # Dashboards and reports beside the model pages (shop.admin.pages).
        self._pages: list[SitePage] = []

    # Registry

    def register(
        self,
        model_or_iterable: type | Iterable[type],
        admin_class: type[ModelAdmin] | None = None,
        *,
        app_label: str | None = None,
    ) -> None:
        """Register one model or several, each with an instance of `admin_class`."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            if model in self._registry:
                raise AlreadyRegistered(f"{model.__name__} is already registered")
            label = app_label or default_app_label(model)
            if not APP_LABEL_RE.fullmatch(label) or label in RESERVED_LABELS:
                raise ImproperlyConfigured(f"{label!r} cannot be an admin app label")
            self._registry[model] = (admin_class or ModelAdmin)(model, self, app_label=label)

    def unregister(self, model: type) -> None:
        if model not in self._registry:
            raise NotRegistered(f"{model.__name__} is not registered")
        del self._registry[model]

    def is_registered(self, model: type) -> bool:
        return model in self._registry

    def get_model_admin(self, model: type) -> ModelAdmin:
        try:
            return self._registry[model]
        except KeyError:
            raise NotRegistered(f"{model.__name__} is not registered") from None

    def find_model_admin(self, app_label: str, model_name: str) -> ModelAdmin | None:
        """The ModelAdmin at /admin/<app_label>/<model_name>/, or None."""
        for admin in self._registry.values():
            if admin.app_label == app_label and admin.model_name == model_name:
                return admin
        return None

    def model_admins(self, app_label: str | None = None) -> list[ModelAdmin]:
        """Registered ModelAdmins, in registration order, optionally of one app only."""
        admins = self._registry.values()
        return [a for a in admins if app_label is None or a.app_label == app_label]

    def register_page(self, page: SitePage) -> None:
        """Add a site-level page (a dashboard, a report) at /admin/<page.route>."""
        if page.first_segment in RESERVED_LABELS:
            raise ImproperlyConfigured(f"{page.route!r} would shadow a site-wide page")
        if any(p.route == page.route or p.name == page.name for p in self._pages):
            raise AlreadyRegistered(f"a page at {page.route!r} or named {page.name!r} exists")
        self._pages.append(page)

    def page_links(self, request: HttpRequest) -> list[PageLink]:
        """The site pages this user may open (the index links to them)."""
        return page_links(self._pages, request, self.name)

    def app_labels(self) -> list[str]:
        return list(dict.fromkeys(a.app_label for a in self._registry.values()))

    def app_name(self, app_label: str) -> str:
        return self.app_names.get(app_label, app_label.replace("_", " ").capitalize())

    # Access

    def has_permission(self, request: HttpRequest) -> bool:
        """May this user see any admin page at all (Django's rule: active staff)."""
        user = request.user
        return bool(user.is_active and user.is_staff)

    def admin_view(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Wrap a view: staff only (else to the login page), never cached, CSRF-protected."""

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.current_app = self.name  # type: ignore[attr-defined]
            if not self.has_permission(request):
                if request.path == reverse("admin:logout", current_app=self.name):
                    # Going on to log in would land on a GET of logout/, which is 405.
                    return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
                login_url = reverse("admin:login", current_app=self.name)
                return redirect_to_login(request.get_full_path(), login_url)
            return view(request, *args, **kwargs)

        wrapped = csrf_protect(never_cache(inner))
        wrapped = update_wrapper(wrapped, view)
        wrapped.admin_site = self  # type: ignore[attr-defined]
        return wrapped

    # URLs

    def get_urls(self) -> list[URLPattern | URLResolver]:
        from shop.admin.views import auth, autocomplete, index

        wrap = self.admin_view
        return [
            path("", wrap(index.IndexView.as_view(site=self)), name="index"),
            path("login/", auth.AdminLoginView.as_view(site=self), name="login"),
            path("logout/", wrap(auth.AdminLogoutView.as_view(site=self)), name="logout"),
            path(
                "password_change/",
                wrap(auth.AdminPasswordChangeView.as_view(site=self)),
                name="password_change",
            ),
            path(
                "password_change/done/",
                wrap(auth.AdminPasswordChangeDoneView.as_view(site=self)),
                name="password_change_done",
            ),
            path("autocomplete/", wrap(autocomplete.autocomplete_view(self)), name="autocomplete"),
            *self._page_urls(),
            *self._model_urls(),
            # Unknown labels are a 404 from the view, after the staff check, so that
            # anonymous visitors cannot probe which apps exist.
            path("<str:app_label>/", wrap(index.AppIndexView.as_view(site=self)), name="app_list"),
            re_path(r"^(?P<url>.*)$", wrap(index.catch_all_view)),
        ]

    def _model_urls(self) -> list[URLPattern | URLResolver]:
        return [
            path(f"{admin.app_label}/{admin.model_name}/", include(admin.get_urls()))
            for admin in self._registry.values()
        ]

    def _page_urls(self) -> list[URLPattern | URLResolver]:
        wrap = self.admin_view
        return [path(page.route, wrap(page.guarded_view()), name=page.name) for page in self._pages]

    @property
    def urls(self) -> tuple[list[URLPattern | URLResolver], str, str]:
        return self.get_urls(), "admin", self.name

    # Template context

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """Variables every admin page's template needs (header, user tools, sidebar)."""
        has_permission = self.has_permission(request)
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "has_permission": has_permission,
            "available_apps": self.get_app_list(request) if has_permission else [],
            "site_pages": self.page_links(request) if has_permission else [],
            "is_nav_sidebar_enabled": True,
        }

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        """The apps and models this user may view, sorted by name (no row counts)."""
        return applist.build_app_list(self, request, app_label)
