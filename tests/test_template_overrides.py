"""Per-model templates win over per-app ones, which win over the defaults (Django's order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories


@pytest.fixture
def override_dir(settings, tmp_path: Path) -> Path:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return tmp_path


def _write(root: Path, name: str, marker: str, parent: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'{{% extends "{parent}" %}}{{% block content_title %}}{marker}{{% endblock %}}'
    )


def test_a_model_template_overrides_the_app_and_default_templates(
    admin_client, override_dir: Path
) -> None:
    _write(
        override_dir,
        "admin/commerce/product/change_list.html",
        "MODEL-LEVEL",
        "admin/change_list.html",
    )
    _write(override_dir, "admin/commerce/change_list.html", "APP-LEVEL", "admin/change_list.html")

    product_page = admin_client.get("/admin/commerce/product/")
    order_page = admin_client.get("/admin/commerce/order/")
    user_page = admin_client.get("/admin/social/user/")

    assert b"MODEL-LEVEL" in product_page.content
    assert b"APP-LEVEL" in order_page.content
    assert b"MODEL-LEVEL" not in order_page.content
    assert b"APP-LEVEL" not in user_page.content
    assert user_page.status_code == 200


def test_change_form_and_delete_pages_follow_the_same_order(
    admin_client, override_dir: Path, session
) -> None:
    product = factories.product(session)
    session.commit()
    _write(override_dir, "admin/commerce/change_form.html", "APP-FORM", "admin/change_form.html")
    _write(
        override_dir,
        "admin/commerce/product/delete_confirmation.html",
        "MODEL-DELETE",
        "admin/delete_confirmation.html",
    )
    assert b"APP-FORM" in admin_client.get(f"/admin/commerce/product/{product.id}/change/").content
    assert (
        b"MODEL-DELETE" in admin_client.get(f"/admin/commerce/product/{product.id}/delete/").content
    )
