"""`/admin/auth/user/<id>/password/`: set another account's password, as in Django admin.

The new hash, the audit record ("password changed", never the hash) and the commit
happen in the request's one transaction; only then is "changed" said. Changing one's
own password keeps one signed in (Django's update_session_auth_hash).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_post_parameters
from sqlalchemy.orm import Session

from shop.admin.audit import CHANGE
from shop.admin.lookup import get_object
from shop.admin.urls import model_url, object_url
from shop.admin.views.change import does_not_exist_redirect
from shop.models.auth import User
from shop.registrations.accounts.forms import PASSWORD_CHANGED, AdminPasswordForm, set_password

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

METHODS = ("GET", "HEAD", "POST")


@sensitive_post_parameters("password1", "password2")
def user_change_password_view(
    request: HttpRequest, model_admin: ModelAdmin, object_id: str
) -> HttpResponse:
    if request.method not in METHODS:
        return HttpResponseNotAllowed(METHODS)
    user = get_object(request, model_admin, object_id)
    if not model_admin.has_change_permission(request, user):
        raise PermissionDenied
    if user is None:
        return does_not_exist_redirect(request, model_admin, object_id)
    form = AdminPasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        _save(request, model_admin, user, form.cleaned_data["password1"])
        messages.success(request, "Password changed successfully.")
        return HttpResponseRedirect(object_url(model_admin, user))
    return TemplateResponse(
        request,
        model_admin.template_names("change_password.html"),
        _context(request, model_admin, user, form),
    )


def _save(request: HttpRequest, model_admin: ModelAdmin, user: User, raw_password: str) -> None:
    session: Session = request.db  # type: ignore[attr-defined]
    hashed = set_password(session, user, raw_password)
    audit = model_admin.admin_site.audit_log
    if audit is not None:
        audit.log(
            session,
            actor=request.user.get_username(),
            action=CHANGE,
            model_admin=model_admin,
            obj=user,
            changes=[PASSWORD_CHANGED],
        )
    session.commit()
    stay_signed_in(request, user, hashed)


def stay_signed_in(request: HttpRequest, user: User, hashed: str) -> None:
    """After a change of one's own password: carry the session over to the new hash.

    Django ties a session to the password hash; without this, the change signs one out.
    """
    if user.id != request.user.pk or user.username != request.user.get_username():
        return
    request.user.password = hashed  # type: ignore[union-attr]
    update_session_auth_hash(request, request.user)  # type: ignore[arg-type]


def _context(
    request: HttpRequest, model_admin: ModelAdmin, user: User, form: AdminPasswordForm
) -> dict[str, Any]:
    site = model_admin.admin_site
    return {
        **site.each_context(request),
        "title": f"Change password: {user.username}",
        "form": form,
        "original": user,
        "opts": model_admin,
        "app_label": model_admin.app_label,
        "app_name": site.app_name(model_admin.app_label),
        "changelist_url": model_url(model_admin, "changelist"),
        "change_url": object_url(model_admin, user),
    }
