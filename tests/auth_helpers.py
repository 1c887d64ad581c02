"""Builders for the staff-management tests: mapped auth rows, Django staff, form HTML.

Accounts and groups that the admin pages edit are made through the SQLAlchemy session
(the pages' own transaction); the staff members who sign in are Django users. Their
names never overlap: on PostgreSQL and MariaDB both live in the same tables, written by
two connections whose test transactions never commit.
"""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import count
from typing import Any

from django.contrib.auth.models import Permission as DjangoPermission
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import auth

_serial = count(1)


def account(session: Session, **values: Any) -> auth.User:
    row = auth.User(**{"username": f"acct{next(_serial)}", **values})
    session.add(row)
    session.flush()
    return row


def permission(session: Session, key: str) -> auth.Permission:
    app_label, codename = key.split(".")
    statement = (
        select(auth.Permission)
        .join(auth.ContentType, auth.Permission.content_type_id == auth.ContentType.id)
        .where(auth.ContentType.app_label == app_label, auth.Permission.codename == codename)
    )
    return session.execute(statement).scalar_one()


def group(session: Session, name: str, *keys: str) -> auth.Group:
    row = auth.Group(name=name, permissions=[permission(session, key) for key in keys])
    session.add(row)
    session.flush()
    return row


def keys_of(permissions: list[auth.Permission], session: Session) -> set[str]:
    ids = [p.id for p in permissions]
    statement = (
        select(auth.ContentType.app_label, auth.Permission.codename)
        .join(auth.Permission, auth.Permission.content_type_id == auth.ContentType.id)
        .where(auth.Permission.id.in_(ids))
    )
    return {f"{app}.{codename}" for app, codename in session.execute(statement)}


def django_staff(django_user_model: Any, username: str, *keys: str) -> Any:
    """A staff member (Django user) holding `keys` ("app.codename") as direct grants."""
    # No password: tests sign in with force_login, and hashing one costs a third of a second.
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    for key in keys:
        app_label, codename = key.split(".")
        user.user_permissions.add(
            DjangoPermission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


class FormControls(HTMLParser):
    """The controls of one <form id=...>: what a browser would submit, and what it shows."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.controls: list[dict[str, Any]] = []  # every control, with its `disabled` flag
        self._select: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input":
            self._input(found)
        elif tag == "select":
            self._select = self._control(found, "select")
        elif tag == "option" and self._select is not None and "selected" in found:
            self._submit(self._select, found.get("value", ""))
        elif tag == "textarea":
            self._textarea = self._control(found, "textarea")
            self._textarea["text"] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._submit(self._textarea, self._textarea["text"].lstrip("\n"))
            self._textarea = None

    def _control(self, attrs: dict[str, str], kind: str) -> dict[str, Any]:
        control = {"kind": kind, **attrs, "disabled": "disabled" in attrs}
        self.controls.append(control)
        return control

    def _input(self, attrs: dict[str, str]) -> None:
        kind = attrs.get("type", "text")
        control = self._control(attrs, kind)
        if kind in ("submit", "button", "reset", "image"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        self._submit(control, attrs.get("value", "on" if kind == "checkbox" else ""))

    def _submit(self, control: dict[str, Any], value: str) -> None:
        name = control.get("name")
        if name and not control["disabled"]:
            self.data.setdefault(name, []).append(value)


def form_controls(html: str, form_id: str) -> FormControls:
    parser = FormControls(form_id)
    parser.feed(html)
    return parser
