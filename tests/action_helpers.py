"""Helpers shared by the action and list_editable tests."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import AuditDetail, AuditRecord

PASSWORD = "correct horse battery staple"
NO_SELECTION = (
    "Items must be selected in order to perform actions on them. No items have been changed."
)
NO_ACTION = "No action selected."


def grant(user: Any, *perms: str) -> None:
    """Give `user` Django permissions such as "commerce.change_order"."""
    for perm in perms:
        app_label, codename = perm.split(".")
        content_type, _ = ContentType.objects.get_or_create(
            app_label=app_label, model=codename.split("_", 1)[1]
        )
        permission, _ = Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": codename}
        )
        user.user_permissions.add(permission)


def staff_client(django_user_model: Any, *perms: str, username: str = "clerk") -> Client:
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    grant(user, *perms)
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    """The messages a response queued; consumed, so the next request starts with none."""
    found = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return found


def fresh(session: Session, model: type, pk: Any) -> Any:
    """The row as the database has it now (not the session's cached copy)."""
    return session.get(model, pk, populate_existing=True)


def audit_of(session: Session, entity: str, entity_id: Any) -> list[tuple[str, dict[str, tuple]]]:
    """(action, {field: (old, new)}) of every audit record of one row, oldest first."""
    records = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.entity == entity, AuditRecord.entity_id == str(entity_id))
        .order_by(AuditRecord.id)
    ).all()
    result = []
    for record in records:
        details = session.scalars(
            select(AuditDetail).where(AuditDetail.audit_id == record.id).order_by(AuditDetail.id)
        ).all()
        result.append((record.action, {d.field: (d.old_value, d.new_value) for d in details}))
    return result


class _FormReader(HTMLParser):
    """The values a browser would submit from one <form id=...> (no button pressed)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and "name" in a and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append(
                (a["name"], a.get("value", "on" if a.get("type") == "checkbox" else ""))
            )
        elif tag == "select" and "name" in a:
            self._select, self._first_option, self._chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a and not self._chosen:
                self.data.append((self._select, a.get("value", "")))
                self._chosen = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            if not self._chosen and self._first_option is not None:
                self.data.append((self._select, self._first_option))
            self._select = None


def form_data(response: Any, form_id: str = "changelist-form") -> dict[str, list[str]]:
    """What submitting the page's form sends, as {name: [values]} (a test client POST)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return data


def confirmed_action_request(
    user: Any, url: str, action: str, selected: int, parameters: dict[str, str]
) -> Any:
    """An action's confirmed POST (`post=yes`) as the browser sends it, to call a view
    directly, e.g. from threads that race."""
    data = {
        "action": action,
        "index": "0",
        "_selected_action": str(selected),
        "post": "yes",
        **parameters,
    }
    request = RequestFactory().post(url, data)
    request.user = user
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return request
