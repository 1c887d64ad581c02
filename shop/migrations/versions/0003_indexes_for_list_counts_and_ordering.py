"""indexes for the lists: association tables' second key column, enrollments.enrolled_date

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:35:00

following, likes and student_clubs have a two-column primary key; lookups by its second
column (a user's followers, a post's likes, a club's members: counted on every list
page) could not use it. MariaDB already had an index there for the foreign key, which
the new one replaces. enrollments.enrolled_date is the enrollment list's ordering and
date hierarchy.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("following", "followed_id"),
    ("likes", "post_id"),
    ("student_clubs", "club_id"),
    ("enrollments", "enrolled_date"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade() -> None:
    mysql = op.get_bind().dialect.name == "mysql"
    for table, column in INDEXES:
        if mysql and table != "enrollments":
            continue  # there the index also serves the foreign key, which needs one
        op.drop_index(f"ix_{table}_{column}", table_name=table)
