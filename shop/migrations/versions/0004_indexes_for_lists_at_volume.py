"""indexes for the lists at production volume: orderings with their key, trigram search

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:00:00

Every big list orders by a date and then by its key (the tiebreak that keeps pages
stable): an index on (date, id) serves the first page, seek pagination, an index-only
scan for a deep page and the date hierarchy's probes. Status and grade filters get the
same ordering behind the filtered column, so a filtered page and its capped count read
one index range. These replace the single-column indexes they extend. The name lists
get plain indexes for their ordering, and on PostgreSQL the searched text columns get
pg_trgm GIN indexes, which serve ILIKE '%text%' (the other databases search by scan).

On PostgreSQL every index is built with CREATE INDEX CONCURRENTLY, outside a
transaction, so a loaded database keeps taking writes while it is built; an index left
invalid by an interrupted build is dropped and built again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, columns) on every database.
INDEXES = (
    ("ix_orders_created_at_id", "orders", ("created_at", "id")),
    ("ix_orders_status_created_at_id", "orders", ("status", "created_at", "id")),
    ("ix_orders_user_id_created_at_id", "orders", ("user_id", "created_at", "id")),
    ("ix_order_items_order_id_id", "order_items", ("order_id", "id")),
    ("ix_carts_updated_at_id", "carts", ("updated_at", "id")),
    ("ix_enrollments_enrolled_date_id", "enrollments", ("enrolled_date", "id")),
    ("ix_enrollments_status_enrolled_date_id", "enrollments", ("status", "enrolled_date", "id")),
    ("ix_enrollments_grade_enrolled_date_id", "enrollments", ("grade", "enrolled_date", "id")),
    ("ix_appointments_scheduled_at_id", "appointments", ("scheduled_at", "id")),
    ("ix_appointments_status_scheduled_at_id", "appointments", ("status", "scheduled_at", "id")),
    ("ix_posts_created_at_id", "posts", ("created_at", "id")),
    ("ix_comments_created_at_id", "comments", ("created_at", "id")),
    ("ix_audit_records_created_at_id", "audit_records", ("created_at", "id")),
    ("ix_audit_records_actor_created_at_id", "audit_records", ("actor", "created_at", "id")),
    ("ix_students_last_name_first_name_id", "students", ("last_name", "first_name", "id")),
    ("ix_owners_name_id", "owners", ("name", "id")),
    ("ix_pets_name_id", "pets", ("name", "id")),
    ("ix_pets_species", "pets", ("species",)),
    ("ix_profiles_display_name_id", "profiles", ("display_name", "id")),
    ("ix_profiles_birthday", "profiles", ("birthday",)),
    ("ix_users_created_at", "users", ("created_at",)),
    ("ix_pets_birth_date", "pets", ("birth_date",)),
    ("ix_audit_records_action_created_at_id", "audit_records", ("action", "created_at", "id")),
    ("ix_appointments_pet_id_scheduled_at_id", "appointments", ("pet_id", "scheduled_at", "id")),
    (
        "ix_enrollments_student_id_status_enrolled_date_id",
        "enrollments",
        ("student_id", "status", "enrolled_date", "id"),
    ),
    ("ix_products_stock", "products", ("stock",)),
    ("ix_enrollments_course_id_status_grade", "enrollments", ("course_id", "status", "grade")),
    ("ix_posts_author_id_created_at_id", "posts", ("author_id", "created_at", "id")),
    ("ix_comments_post_id_created_at_id", "comments", ("post_id", "created_at", "id")),
    ("ix_comments_author_id_created_at_id", "comments", ("author_id", "created_at", "id")),
)
# The single-column indexes the composite ones above extend (and replace).
REPLACED = (
    ("ix_orders_created_at", "orders", ("created_at",)),
    ("ix_orders_status", "orders", ("status",)),
    ("ix_orders_user_id", "orders", ("user_id",)),
    ("ix_order_items_order_id", "order_items", ("order_id",)),
    ("ix_enrollments_enrolled_date", "enrollments", ("enrolled_date",)),
    ("ix_appointments_scheduled_at", "appointments", ("scheduled_at",)),
    ("ix_audit_records_created_at", "audit_records", ("created_at",)),
    ("ix_appointments_pet_id", "appointments", ("pet_id",)),
    ("ix_enrollments_course_id", "enrollments", ("course_id",)),
    ("ix_posts_author_id", "posts", ("author_id",)),
    ("ix_comments_post_id", "comments", ("post_id",)),
    ("ix_comments_author_id", "comments", ("author_id",)),
)
# (table, column) searched with "contains": trigram indexes on PostgreSQL.
TRIGRAM = (
    ("users", "username"),
    ("users", "email"),
    ("products", "sku"),
    ("products", "name"),
    ("students", "last_name"),
    ("students", "first_name"),
    ("students", "email"),
    ("owners", "name"),
    ("owners", "email"),
    ("owners", "phone"),
    ("pets", "name"),
    ("appointments", "notes"),
    ("posts", "title"),
    ("comments", "body"),
    ("profiles", "display_name"),
    ("profiles", "website"),
    ("audit_records", "entity_repr"),
    ("audit_records", "actor"),
    ("audit_records", "entity_id"),
)


def _trigram_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def _drop_if_invalid(name: str) -> None:
    """An index an interrupted CONCURRENTLY build left behind is unusable: drop it."""
    invalid = op.get_bind().execute(
        sa.text(
            "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
            "WHERE pg_class.relname = :name AND NOT pg_index.indisvalid"
        ),
        {"name": name},
    )
    if invalid.first() is not None:
        op.drop_index(name, postgresql_concurrently=True, if_exists=True)


def _create_on_postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.get_context().autocommit_block():
        for name, table, columns in INDEXES:
            _drop_if_invalid(name)
            op.create_index(
                name, table, list(columns), postgresql_concurrently=True, if_not_exists=True
            )
        for table, column in TRIGRAM:
            name = _trigram_name(table, column)
            _drop_if_invalid(name)
            op.create_index(
                name,
                table,
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
                postgresql_concurrently=True,
                if_not_exists=True,
            )
        for name, table, _columns in REPLACED:
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_on_postgresql()
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))
    # Only after the composite index exists: MariaDB's foreign keys need one of them.
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, columns in REPLACED:
        op.create_index(name, table, list(columns))
    if postgresql:
        for table, column in TRIGRAM:
            op.drop_index(_trigram_name(table, column), table_name=table)
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
