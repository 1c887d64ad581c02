"""What every admin page view shares: its site and the site-wide template context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite


class AdminViewMixin:
    """Gives a class-based view its `site`, and every template the site's context."""

    site: AdminSite | None = None
    request: HttpRequest

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        if self.site is None:
            raise TypeError(f"{type(self).__name__} needs as_view(site=...)")
        # `{% url 'admin:...' %}` then resolves within this site's instance namespace.
        request.current_app = self.site.name  # type: ignore[attr-defined]
        super().setup(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        assert self.site is not None
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        return {**self.site.each_context(self.request), **context}
