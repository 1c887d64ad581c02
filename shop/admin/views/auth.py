"""Sign in, sign out and password change: Django's auth views with the admin's rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from shop.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from shop.admin.views.base import AdminViewMixin


@method_decorator(never_cache, name="dispatch")
class AdminLoginView(AdminViewMixin, auth_views.LoginView):
    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert self.site is not None
        if request.method == "GET" and self.site.has_permission(request):
            # Already signed in as staff: nothing to do here (Django admin does the same).
            return HttpResponseRedirect(reverse("admin:index", current_app=self.site.name))
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        assert self.site is not None
        return reverse("admin:index", current_app=self.site.name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        context.update(
            title="Log in",
            app_path=request.get_full_path(),
            username=request.user.get_username(),
        )
        # LoginView already put the `next` it would follow ("" when unsafe) in the context.
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = self.get_default_redirect_url()
        return context


class AdminLogoutView(AdminViewMixin, auth_views.LogoutView):
    """POST only (Django 5): a GET is answered 405, so a link or prefetch cannot sign out."""

    template_name = "admin/logged_out.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title="Logged out", has_permission=False, available_apps=[])
        return context


class AdminPasswordChangeView(AdminViewMixin, auth_views.PasswordChangeView):
    form_class = AdminPasswordChangeForm
    template_name = "admin/password_change_form.html"

    def get_success_url(self) -> str:
        assert self.site is not None
        return reverse("admin:password_change_done", current_app=self.site.name)


class AdminPasswordChangeDoneView(AdminViewMixin, auth_views.PasswordChangeDoneView):
    template_name = "admin/password_change_done.html"
