"""The permission matrix: every registered model, five kinds of visitor, every page.

Visitors: anonymous, signed in but not staff, view-only staff (a group holding every
view permission), editors (a group holding every view/add/change/delete permission)
and a superuser. Pages: changelist, add, change, history and delete, by GET and POST.
A refused POST is a 403 and changes nothing, even when it carries a valid edit.
One test per model runs every visitor, so the objects are built once per model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from shop.admin.options import ModelAdmin
from shop.admin.permissions import permission_specs
from shop.models import (
    AuditRecord,
    CartItem,
    Club,
    Comment,
    Enrollment,
    Order,
    OrderItem,
    Post,
    Product,
    Profile,
    Vet,
    auth,
)
from shop.registrations import site
from tests import factories
from tests.auth_helpers import django_staff, form_controls

ADMINS = site.model_admins()
# Nobody adds, changes or deletes audit records, superusers included; nor order lines,
# which only checkout writes (with the stock they take).
READ_ONLY = {"audit.auditrecord", "commerce.orderitem"}
# Orders are placed only by checking out a cart: nobody adds one here.
NOT_ADDED = {"commerce.order"}
# Every field read-only for everyone: the page offers Close instead of Save.
NOTHING_TO_TYPE = {"commerce.order"}
LOGIN = "/admin/login/?next="
SUBMIT_NAMES = ("_save", "_continue", "_addanother", "_saveasnew")


def _label(admin: ModelAdmin) -> str:
    return f"{admin.app_label}.{admin.model_name}"


# One object of each registered model, with what it needs.

Builder = Callable[[Session], Any]


def _n() -> int:
    return factories._n()


def _post(session: Session) -> Post:
    post = Post(author=factories.user(session), title=f"Post {_n()}", body="text")
    session.add(post)
    session.flush()
    return post


def _cancelled_order(session: Session) -> Order:
    """Only a cancelled order may be deleted (its items are back in stock)."""
    order = factories.order(session, factories.user(session), [])
    order.status = "cancelled"
    return order


def _order_item(session: Session) -> OrderItem:
    item = factories.product(session)
    return factories.order(session, factories.user(session), [(item, 1)]).items[0]


BUILDERS: dict[str, Builder] = {
    "social.user": factories.user,
    "social.post": _post,
    "social.comment": lambda s: Comment(post=_post(s), author=factories.user(s), body="hi"),
    "social.profile": lambda s: Profile(user=factories.user(s), display_name=f"P {_n()}"),
    "commerce.product": factories.product,
    "commerce.cart": factories.cart,
    "commerce.cartitem": lambda s: CartItem(
        cart=factories.cart(s), product=factories.product(s), quantity=1
    ),
    "commerce.order": _cancelled_order,
    "commerce.orderitem": _order_item,
    "clinic.owner": lambda s: factories.owner_with_pets(s, pets=0),
    "clinic.pet": lambda s: factories.owner_with_pets(s, pets=1).pets[0],
    "clinic.vet": factories.vet,
    "clinic.appointment": lambda s: factories.appointment(
        s, factories.owner_with_pets(s, pets=1).pets[0], factories.vet(s)
    ),
    "school.student": factories.student,
    "school.club": lambda s: Club(name=f"Club {_n()}"),
    "school.course": factories.course,
    "school.enrollment": lambda s: Enrollment(
        student=factories.student(s), course=factories.course(s), enrolled_date=date(2030, 1, 1)
    ),
    "audit.auditrecord": lambda s: AuditRecord(
        action="add", entity="clinic.vet", entity_id="1", entity_repr="Dr", actor="t"
    ),
    "auth.user": lambda s: auth.User(username=f"matrix-account-{_n()}"),
    "auth.group": lambda s: auth.Group(name=f"matrix-group-{_n()}"),
}

# A valid edit of each model's change form (field, value): refused for view-only staff,
# then made by an editor, which proves the edit itself was valid.
EDITS: dict[str, Callable[[Session], tuple[str, str]]] = {
    "social.user": lambda s: ("bio", "edited"),
    "social.post": lambda s: ("title", "edited"),
    "social.comment": lambda s: ("body", "edited"),
    "social.profile": lambda s: ("display_name", "edited"),
    "commerce.product": lambda s: ("name", "edited"),
    "commerce.cart": lambda s: ("user", str(factories.user(s).id)),
    "commerce.cartitem": lambda s: ("quantity", "7"),
    "clinic.owner": lambda s: ("name", "edited"),
    "clinic.pet": lambda s: ("name", "edited"),
    "clinic.vet": lambda s: ("name", "edited"),
    "clinic.appointment": lambda s: ("notes", "edited"),
    "school.student": lambda s: ("first_name", "edited"),
    "school.club": lambda s: ("name", "edited"),
    "school.course": lambda s: ("title", "edited"),
    "school.enrollment": lambda s: ("notes", "edited"),
    "auth.user": lambda s: ("first_name", "edited"),
    "auth.group": lambda s: ("name", "edited"),
}
# Models whose change form edits nothing: a value posted for a field the form shows
# read-only is ignored (the save goes through, the value stays). An order's status
# moves only through its actions.
IGNORED_EDITS: dict[str, Callable[[Session], tuple[str, str]]] = {
    "commerce.order": lambda s: ("status", "delivered"),
}


def build(session: Session, admin: ModelAdmin) -> Any:
    obj = BUILDERS[_label(admin)](session)
    session.add(obj)
    session.flush()
    return obj


def test_every_registered_model_has_a_builder_and_an_edit() -> None:
    labels = {_label(admin) for admin in ADMINS}
    assert set(BUILDERS) == labels
    assert not set(EDITS) & set(IGNORED_EDITS)
    assert set(EDITS) | set(IGNORED_EDITS) == labels - READ_ONLY
    assert labels - READ_ONLY >= NOT_ADDED


def _edit_of(admin: ModelAdmin) -> Callable[[Session], tuple[str, str]]:
    label = _label(admin)
    return EDITS.get(label) or IGNORED_EDITS.get(label) or (lambda s: ("id", "0"))


# The visitors


def _group(name: str, actions: tuple[str, ...]) -> Group:
    wanted = {
        (spec.app_label, spec.codename)
        for spec in permission_specs(ADMINS)
        if spec.codename.split("_", 1)[0] in actions
    }
    rows = Permission.objects.select_related("content_type")
    group = Group.objects.create(name=name)
    group.permissions.set([p for p in rows if (p.content_type.app_label, p.codename) in wanted])
    return group


@pytest.fixture
def visitors(django_user_model: Any) -> dict[str, Client]:
    """A signed-in test client per kind of visitor (none for the anonymous one)."""
    # No passwords (force_login signs in): hashing four of them would cost a second a test.
    make = django_user_model.objects.create_user
    people = {
        "nonstaff": make(username="matrix-nonstaff"),
        "viewer": make(username="matrix-viewer", is_staff=True),
        "editor": make(username="matrix-editor", is_staff=True),
        "superuser": make(username="matrix-root", is_staff=True, is_superuser=True),
    }
    people["viewer"].groups.add(_group("Matrix viewers", ("view",)))
    people["editor"].groups.add(_group("Matrix editors", ("view", "add", "change", "delete")))
    clients = {"anonymous": Client()}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


# Checks


def _urls(admin: ModelAdmin, obj: Any) -> dict[str, str]:
    base = f"/admin/{admin.app_label}/{admin.model_name}/"
    key = ",".join(str(part) for part in sa_inspect(obj).identity)
    return {
        "changelist": base,
        "add": f"{base}add/",
        "change": f"{base}{key}/change/",
        "history": f"{base}{key}/history/",
        "delete": f"{base}{key}/delete/",
    }


def _state(session: Session, admin: ModelAdmin, obj: Any) -> tuple[Any, ...]:
    """The object's column values, the model's row count and the audit row count."""
    session.expire_all()
    current = session.get(admin.model, sa_inspect(obj).identity)
    values = None if current is None else {
        prop.key: getattr(current, prop.key) for prop in admin.mapper.column_attrs
    }  # fmt: skip
    rows = session.scalar(select(func.count()).select_from(admin.table))
    audits = session.scalar(select(func.count()).select_from(AuditRecord))
    return values, rows, audits


def _form_data(client: Client, url: str, admin: ModelAdmin) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200, url
    return form_controls(page.content.decode(), f"{admin.model_name}_form").data


def _assert_refused_to_outsiders(client: Client, urls: dict[str, str]) -> None:
    for page, url in urls.items():
        for method in (client.get, client.post):
            response = method(url, {"post": "yes"} if page == "delete" else {"_save": "1"})
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(LOGIN), url


def _assert_read_only_page(html: str, admin: ModelAdmin) -> None:
    controls = form_controls(html, f"{admin.model_name}_form").controls
    # Hidden inputs only (the CSRF token, inline management forms): nothing to edit.
    editable = [c for c in controls if c["kind"] != "hidden" and not c["disabled"]]
    assert editable == [], editable
    assert not [c for c in controls if c.get("name") in SUBMIT_NAMES]
    assert 'class="deletelink"' not in html
    assert 'class="button closelink"' in html


def _check_viewer(
    session: Session, client: Client, admin: ModelAdmin, urls: dict[str, str], edit: dict[str, Any]
) -> None:
    obj_state = _state(session, admin, edit["obj"])
    changelist = client.get(urls["changelist"])
    assert changelist.status_code == 200
    assert 'class="button primary addlink"' not in changelist.content.decode()
    change = client.get(urls["change"])
    assert change.status_code == 200
    _assert_read_only_page(change.content.decode(), admin)
    assert client.get(urls["history"]).status_code == 200
    refused = [
        client.get(urls["add"]),
        client.post(urls["add"], edit["data"]),
        client.post(urls["change"], edit["data"]),
        client.post(urls["change"], {**edit["data"], "_saveasnew": "1"}),
        client.get(urls["delete"]),
        client.post(urls["delete"], {"post": "yes"}),
    ]
    # "Save as new" is a 400 where the model does not offer it at all.
    expected = [403, 403, 403, 403 if admin.save_as else 400, 403, 403]
    assert [response.status_code for response in refused] == expected
    assert _state(session, admin, edit["obj"]) == obj_state


def _check_editor(
    session: Session, client: Client, admin: ModelAdmin, obj: Any, victim: Any, edit_of: Any
) -> None:
    urls, writable = _urls(admin, obj), _label(admin) not in READ_ONLY
    addable = writable and _label(admin) not in NOT_ADDED
    changelist = client.get(urls["changelist"]).content.decode()
    assert ('class="button primary addlink"' in changelist) is addable
    assert client.get(urls["add"]).status_code == (200 if addable else 403)
    assert client.post(urls["add"], {"_save": "1"}).status_code in (
        (200, 302) if addable else (403,)
    )
    change = client.get(urls["change"])
    html = change.content.decode()
    saves = writable and _label(admin) not in NOTHING_TO_TYPE
    assert ('name="_save"' in html, 'class="deletelink"' in html) == (saves, writable)
    assert ('class="button closelink"' in html) is not saves
    assert client.get(urls["history"]).status_code == 200
    if writable:
        field, value = edit_of(session)
        before = _value_of(session, admin, obj, field)
        data = {**form_controls(html, f"{admin.model_name}_form").data, field: [value]}
        assert client.post(urls["change"], {**data, "_save": "1"}).status_code == 302
        if _label(admin) in IGNORED_EDITS:
            assert before != value, "an edit that would change the value, were it saved"
            assert _value_of(session, admin, obj, field) == before
        else:
            assert _value_of(session, admin, obj, field) == value
    victim_urls = _urls(admin, victim)
    assert client.get(victim_urls["delete"]).status_code == (200 if writable else 403)
    deleted = client.post(victim_urls["delete"], {"post": "yes"})
    assert deleted.status_code == (302 if writable else 403)
    session.expire_all()
    assert (session.get(admin.model, sa_inspect(victim).identity) is None) is writable


def _value_of(session: Session, admin: ModelAdmin, obj: Any, field: str) -> str:
    """The stored value of a form field, as the form posts it (a related row: its id)."""
    session.expire_all()
    value = getattr(session.get(admin.model, sa_inspect(obj).identity), field)
    if field in admin.mapper.relationships:
        value = sa_inspect(value).identity[0]
    return str(value)


@pytest.mark.parametrize("admin", ADMINS, ids=_label)
def test_every_page_follows_the_permissions(
    admin: ModelAdmin, visitors: dict[str, Client], session: Session
) -> None:
    obj = build(session, admin)
    victims = {role: build(session, admin) for role in ("editor", "superuser")}
    urls = _urls(admin, obj)
    for role in ("anonymous", "nonstaff"):
        _assert_refused_to_outsiders(visitors[role], urls)
    data = _form_data(visitors["superuser"], urls["change"], admin)
    edit_of = _edit_of(admin)
    field, value = edit_of(session)
    forged = {**data, field: [value], "_save": "1"}
    _check_viewer(session, visitors["viewer"], admin, urls, {"obj": obj, "data": forged})
    for role in ("editor", "superuser"):
        _check_editor(session, visitors[role], admin, obj, victims[role], edit_of)


# Forged POSTs that carry a valid edit


def _staff(django_user_model: Any, client: Client, *keys: str) -> Client:
    client.force_login(django_staff(django_user_model, f"staff-{_n()}", *keys))
    return client


def _product_data(client: Client, product: Product) -> dict[str, Any]:
    admin = site.get_model_admin(Product)
    return _form_data(client, _urls(admin, product)["change"], admin)


def test_save_as_new_without_add_permission_changes_nothing(
    client: Client, django_user_model: Any, session: Session
) -> None:
    editor = _staff(django_user_model, client, "commerce.view_product", "commerce.change_product")
    product = factories.product(session)
    admin = site.get_model_admin(Product)
    before = _state(session, admin, product)
    data = {**_product_data(editor, product), "sku": ["COPY-1"], "_saveasnew": "1"}
    url = _urls(admin, product)["change"]
    assert editor.post(url, data).status_code == 403
    assert _state(session, admin, product) == before
    # The same values saved as a change are valid: only the missing permission refused them.
    del data["_saveasnew"]
    assert editor.post(url, {**data, "_save": "1"}).status_code == 302
    assert _value_of(session, admin, product, "sku") == "COPY-1"


def test_delete_without_delete_permission_changes_nothing(
    client: Client, django_user_model: Any, session: Session
) -> None:
    editor = _staff(django_user_model, client, "clinic.view_vet", "clinic.change_vet")
    admin = site.get_model_admin(Vet)
    vet = factories.vet(session)
    urls = _urls(admin, vet)
    assert 'class="deletelink"' not in editor.get(urls["change"]).content.decode()
    assert editor.get(urls["delete"]).status_code == 403
    assert editor.post(urls["delete"], {"post": "yes"}).status_code == 403
    assert _state(session, admin, vet)[0] is not None


def test_a_posted_read_only_field_is_ignored(admin_client: Client, session: Session) -> None:
    admin = site.get_model_admin(auth.User)
    account = build(session, admin)
    joined = account.date_joined
    url = _urls(admin, account)["change"]
    data = _form_data(admin_client, url, admin)
    assert not {"date_joined", "date_joined_0", "last_login", "last_login_0"} & set(data)
    forged = {
        **data, "first_name": ["Edited"], "_save": "1",
        "date_joined": ["2001-01-01 00:00:00"], "date_joined_0": ["2001-01-01"],
        "date_joined_1": ["00:00:00"], "last_login": ["2001-01-01 00:00:00"],
        "last_login_0": ["2001-01-01"], "last_login_1": ["00:00:00"],
    }  # fmt: skip
    assert admin_client.post(url, forged).status_code == 302
    assert _value_of(session, admin, account, "first_name") == "Edited"
    session.expire_all()
    saved = session.get(auth.User, account.id)
    assert (saved.date_joined, saved.last_login) == (joined, None)


# The index, the sidebar and the app pages list what the visitor may view


def _index_models(html: str) -> dict[str, set[str]]:
    """App label -> the model names listed in the index body."""
    sections = re.findall(r'<section class="module app-(\w+)"(.*?)</section>', html, re.S)
    return {app: set(re.findall(r'<tr class="model-(\w+)">', body)) for app, body in sections}


def _sidebar_links(html: str) -> set[str]:
    sidebar = html.split('<nav class="nav-sidebar"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'<li><a href="/admin/([\w/]+)/">', sidebar))


def _expected_index(labels: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for label in labels:
        app, model = label.split(".")
        found.setdefault(app, set()).add(model)
    return found


def test_view_only_staff_see_every_model_listed(visitors: dict[str, Client]) -> None:
    labels = {_label(admin) for admin in ADMINS}
    html = visitors["viewer"].get("/admin/").content.decode()
    assert _index_models(html) == _expected_index(labels)
    assert _sidebar_links(html) == {label.replace(".", "/") for label in labels}


def test_staff_see_only_the_apps_and_models_they_may_view(
    client: Client, django_user_model: Any
) -> None:
    keys = ["clinic.view_pet", "clinic.view_vet", "clinic.change_owner", "social.add_post"]
    staff = _staff(django_user_model, client, *keys)
    html = staff.get("/admin/").content.decode()
    # change implies view (Django's rule); add alone does not list a model.
    assert _index_models(html) == {"clinic": {"pet", "vet", "owner"}}
    assert _sidebar_links(html) == {"clinic/pet", "clinic/vet", "clinic/owner"}
    app = staff.get("/admin/clinic/")
    assert app.status_code == 200
    assert _index_models(app.content.decode()) == {"clinic": {"pet", "vet", "owner"}}
    for label in ("social", "auth", "commerce", "audit"):
        assert staff.get(f"/admin/{label}/").status_code == 404, label


@pytest.mark.parametrize("role", ["anonymous", "nonstaff"])
def test_outsiders_get_the_login_page_for_every_index(
    visitors: dict[str, Client], role: str
) -> None:
    for url in ["/admin/", *(f"/admin/{label}/" for label in site.app_labels())]:
        response = visitors[role].get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}{url}"
