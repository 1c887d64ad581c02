"""The site index and the per-app index: every visible model with its row count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.common import no_append_slash
from django.views.generic import TemplateView

from shop.admin.applist import add_counts
from shop.admin.recent import recent_actions
from shop.admin.views.base import AdminViewMixin


class IndexView(AdminViewMixin, TemplateView):
    template_name = "admin/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        assert self.site is not None
        context = super().get_context_data(**kwargs)
        app_list = self.site.get_app_list(self.request)
        add_counts(self.request.db, app_list)  # type: ignore[attr-defined]
        context.update(title=self.site.index_title, app_list=app_list)
        context["recent_actions"] = recent_actions(self.request, self.site)
        return context


class AppIndexView(AdminViewMixin, TemplateView):
    template_name = "admin/app_index.html"

    def get_template_names(self) -> list[str]:
        # A domain may override its own index page, as in Django admin.
        return [f"admin/{self.kwargs['app_label']}/app_index.html", self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        assert self.site is not None
        context = super().get_context_data(**kwargs)
        app_label = self.kwargs["app_label"]
        app_list = self.site.get_app_list(self.request, app_label)
        if not app_list:
            # Unknown label, or nothing in it this user may see: Django answers 404 to both.
            raise Http404("The requested admin page does not exist.")
        add_counts(self.request.db, app_list)  # type: ignore[attr-defined]
        context.update(
            title=f"{app_list[0].name} administration", app_list=app_list, app_label=app_label
        )
        return context


@no_append_slash
def catch_all_view(request: HttpRequest, url: str) -> HttpResponse:
    """Any other admin URL: add a missing slash if that leads somewhere, else 404.

    Behind the staff check, so anonymous visitors learn nothing about what exists.
    """
    if settings.APPEND_SLASH and not url.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
        except Resolver404:
            pass
        else:
            if getattr(match.func, "should_append_slash", True):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    raise Http404("The requested admin page does not exist.")
