"""Django's own account tables (auth_*, django_content_type), mapped for the admin.

Staff accounts, groups and permissions are managed from the admin like any record: the
edits and their audit rows then go through the request's one SQLAlchemy session, in one
transaction. The tables belong to Django: its migrations create and change them, so
they live in their own MetaData, which Alembic never compares or migrates (see
shop.migrations.include_name). The columns follow Django's schema; Django reads what
is written here (password hashes from django.contrib.auth.hashers, UTC timestamps).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shop.models.types import UTCDateTime, utcnow

# Django's mark of an account that cannot sign in with a password ("!" + 40 characters).
UNUSABLE_PASSWORD_PREFIX = "!"


def unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)[:40]


class DjangoTablesBase(DeclarativeBase):
    """Mappings of tables that Django's migrations own (not in shop.models.Base.metadata)."""

    metadata = MetaData()
    type_annotation_map = {datetime: UTCDateTime()}


class ContentType(DjangoTablesBase):
    __tablename__ = "django_content_type"
    __table_args__ = (UniqueConstraint("app_label", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_label: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))

    def __str__(self) -> str:
        return f"{self.app_label} | {self.model}"


class Permission(DjangoTablesBase):
    __tablename__ = "auth_permission"
    __table_args__ = (UniqueConstraint("content_type_id", "codename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type_id: Mapped[int] = mapped_column(ForeignKey("django_content_type.id"))
    codename: Mapped[str] = mapped_column(String(100))

    content_type: Mapped[ContentType] = relationship(lazy="raise")

    def __str__(self) -> str:
        return self.name


def _link_table(name: str, left: str, right: str) -> Table:
    """Django's many-to-many table: an id of its own and a unique pair of foreign keys.

    `left` and `right` name the referenced tables ("auth_user" gives a `user_id` column).
    """
    left_column, right_column = (f"{table.removeprefix('auth_')}_id" for table in (left, right))
    return Table(
        name,
        DjangoTablesBase.metadata,
        Column("id", Integer, primary_key=True),
        Column(left_column, ForeignKey(f"{left}.id"), nullable=False, index=True),
        Column(right_column, ForeignKey(f"{right}.id"), nullable=False, index=True),
        UniqueConstraint(left_column, right_column),
    )


user_groups = _link_table("auth_user_groups", "auth_user", "auth_group")
user_permissions = _link_table("auth_user_user_permissions", "auth_user", "auth_permission")
group_permissions = _link_table("auth_group_permissions", "auth_group", "auth_permission")


class Group(DjangoTablesBase):
    __tablename__ = "auth_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)

    permissions: Mapped[list[Permission]] = relationship(secondary=group_permissions)
    # Deleting a group deletes its memberships (Django has no ON DELETE in the database).
    users: Mapped[list[User]] = relationship(secondary=user_groups, back_populates="groups")

    def __str__(self) -> str:
        return self.name


# The password hash is a column of the table but not an attribute of the mapping: it
# never reaches a form, a page or an audit record. The admin sets it with an UPDATE.
auth_user = Table(
    "auth_user",
    DjangoTablesBase.metadata,
    Column("id", Integer, primary_key=True),
    Column("password", String(128), nullable=False, default=unusable_password),
    Column("last_login", UTCDateTime(), nullable=True, info={"editable": False}),
    Column(
        "is_superuser",
        Boolean,
        nullable=False,
        default=False,
        info={
            "verbose_name": "superuser status",
            "help_text": "Designates that this user has all permissions without "
            "explicitly assigning them.",
        },
    ),
    Column(
        "username",
        String(150),
        nullable=False,
        unique=True,
        info={
            "help_text": "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."
        },
    ),
    Column("first_name", String(150), nullable=False, default=""),
    Column("last_name", String(150), nullable=False, default=""),
    Column(
        "email", String(254), nullable=False, default="", info={"verbose_name": "email address"}
    ),
    Column(
        "is_staff",
        Boolean,
        nullable=False,
        default=False,
        info={
            "verbose_name": "staff status",
            "help_text": "Designates whether the user can log into this admin site.",
        },
    ),
    Column(
        "is_active",
        Boolean,
        nullable=False,
        default=True,
        info={
            "verbose_name": "active",
            "help_text": "Designates whether this user should be treated as active. "
            "Unselect this instead of deleting accounts.",
        },
    ),
    Column("date_joined", UTCDateTime(), nullable=False, default=utcnow),
)


class User(DjangoTablesBase):
    __table__ = auth_user
    __mapper_args__ = {"exclude_properties": ["password"]}

    id: Mapped[int]
    last_login: Mapped[datetime | None]
    is_superuser: Mapped[bool]
    username: Mapped[str]
    first_name: Mapped[str]
    last_name: Mapped[str]
    email: Mapped[str]
    is_staff: Mapped[bool]
    is_active: Mapped[bool]
    date_joined: Mapped[datetime]

    groups: Mapped[list[Group]] = relationship(secondary=user_groups, back_populates="users")
    user_permissions: Mapped[list[Permission]] = relationship(secondary=user_permissions)

    def __str__(self) -> str:
        return self.username
