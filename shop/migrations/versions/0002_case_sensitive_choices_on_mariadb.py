"""case-sensitive choice columns on MariaDB

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:30:00

MariaDB compares text under the table's default collation (utf8mb4_general_ci): without
case and ignoring trailing spaces, so CHECK (grade IN ('A', ...)) accepts 'a' and 'A '.
A binary collation without padding makes the database refuse them, as PostgreSQL and
SQLite already do. Other databases are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, VARCHAR length, nullable): the choice columns of 0001.
CHOICE_COLUMNS = (
    ("users", "role", 20, False),
    ("enrollments", "grade", 2, True),
    ("enrollments", "status", 20, False),
    ("orders", "status", 20, False),
    ("appointments", "status", 20, False),
)


def _collate(exact: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "mysql":
        return
    if exact:
        # MariaDB's binary collation that does not pad; MySQL 8's binary one never pads.
        mariadb = getattr(bind.dialect, "is_mariadb", False)
        collation = "utf8mb4_nopad_bin" if mariadb else "utf8mb4_0900_bin"
    else:
        collation = "utf8mb4_general_ci"
    for table, column, length, nullable in CHOICE_COLUMNS:
        null = "NULL" if nullable else "NOT NULL"
        op.execute(
            f"ALTER TABLE {table} MODIFY {column} VARCHAR({length}) "
            f"CHARACTER SET utf8mb4 COLLATE {collation} {null}"
        )


def upgrade() -> None:
    _collate(exact=True)


def downgrade() -> None:
    _collate(exact=False)
