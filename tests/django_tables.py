"""Django's auth tables for the SQLAlchemy test database, where it is not Django's own.

In production both ORMs share one database, so the admin's mapping of auth_user,
auth_group and friends (shop.models.auth) reads the tables Django migrated. The tests
share it on PostgreSQL and MariaDB too; on SQLite, Django's test database is in memory
and SQLAlchemy's is a file. There the mapped tables are created from the mapping and
filled with the content types and permissions Django's migrate created (same ids), so
the staff-management pages find what they would find in production.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from sqlalchemy import Engine, insert

from shop.models import auth


def mirror_django_auth_tables(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    auth.DjangoTablesBase.metadata.create_all(engine)
    content_types = list(ContentType.objects.values("id", "app_label", "model"))
    permissions = list(Permission.objects.values("id", "name", "content_type_id", "codename"))
    with engine.begin() as connection:
        connection.execute(insert(auth.ContentType), content_types)
        connection.execute(insert(auth.Permission), permissions)
