"""Turn an IntegrityError from a flush or commit into a form error on the right field.

Constraints are named by the naming convention (uq_<table>_<cols>, ck_<table>_<name>,
fk_<table>_<col>_<reftable>), and every driver names the violated constraint (or, on
SQLite, its columns) in its message: that name is matched against the table's declared
constraints. Nothing of the driver's message or the SQL reaches the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Table
from sqlalchemy.exc import IntegrityError

from shop.admin.forms.fields import humanize
from shop.admin.forms.related import INVALID_CHOICE
from shop.admin.forms.unique import (
    attribute_keys,
    field_name,
    unique_column_sets,
    unique_message,
)

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

REQUIRED = "This field is required."
REFUSED = "The database refused these values, so nothing was saved. Please check them."
# Identifiers the drivers quote: "name" (PostgreSQL), 'name' and `name` (MariaDB).
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'|`([^`]+)`")
# SQLite: "UNIQUE constraint failed: t.a, t.b", "NOT NULL constraint failed: t.a",
# "CHECK constraint failed: ck_t_name".
_SQLITE = re.compile(r"(UNIQUE|NOT NULL|CHECK) constraint failed: (.+)$")
# MariaDB: "Column 'name' cannot be null", "Duplicate entry '<value>' for key 'uq_..'",
# "CONSTRAINT `ck_..` failed for ..", "a foreign key constraint fails (.., CONSTRAINT `fk_..`".
_MARIADB_NULL = re.compile(r"Column '([^']+)' cannot be null")
_MARIADB_NAMED = re.compile(r"for key '([^']+)'|CONSTRAINT `([^`]+)`")


@dataclass(frozen=True)
class Problem:
    """Where the error belongs (a form field name, or None for the whole form) and its text."""

    field: str | None
    message: str


def describe(model_admin: ModelAdmin, exc: IntegrityError, form: Any = None) -> Problem:
    """The form error for `exc` raised while saving a `model_admin` object."""
    table: Table = model_admin.mapper.local_table  # type: ignore[assignment]
    text = str(exc.orig) if exc.orig is not None else str(exc)
    null_column = _not_null_column(exc, text)
    if null_column is not None and null_column in table.c:
        return _on_columns(model_admin, [table.c[null_column]], REQUIRED)
    for name in _candidate_names(exc, text):
        problem = _by_constraint_name(model_admin, table, name, form)
        if problem is not None:
            return problem
    sqlite = _SQLITE.search(text)
    if sqlite and sqlite.group(1) == "UNIQUE":
        problem = _sqlite_unique(model_admin, table, sqlite.group(2), form)
        if problem is not None:
            return problem
    return Problem(None, REFUSED)


def _not_null_column(exc: IntegrityError, text: str) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    if getattr(exc.orig, "sqlstate", None) == "23502" and diag is not None:
        return getattr(diag, "column_name", None)
    sqlite = _SQLITE.search(text)
    if sqlite and sqlite.group(1) == "NOT NULL":
        return sqlite.group(2).strip().rsplit(".", 1)[-1]
    mariadb = _MARIADB_NULL.search(text)
    return mariadb.group(1) if mariadb else None


def _candidate_names(exc: IntegrityError, text: str) -> list[str]:
    names = []
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        names.append(diag.constraint_name)  # psycopg names it exactly
    sqlite = _SQLITE.search(text)
    if sqlite and sqlite.group(1) == "CHECK":
        names.append(sqlite.group(2).strip())
    # The precise patterns first: a quoted user value must not pass for a constraint name.
    names.extend(next(part for part in m.groups() if part) for m in _MARIADB_NAMED.finditer(text))
    names.extend(next(part for part in match.groups() if part) for match in _QUOTED.finditer(text))
    return names


def _by_constraint_name(
    model_admin: ModelAdmin, table: Table, name: str, form: Any
) -> Problem | None:
    wanted = name.lower().rsplit(".", 1)[-1]  # MariaDB may prefix the key with the table
    for columns in unique_column_sets(table):
        if _named(columns, table, wanted):
            attributes = attribute_keys(model_admin.mapper, columns)
            if attributes is not None:
                return _unique_problem(model_admin, attributes, form)
    for constraint in table.constraints:
        if not constraint.name or str(constraint.name).lower() != wanted:
            continue
        if isinstance(constraint, ForeignKeyConstraint):
            return _on_columns(model_admin, list(constraint.columns), INVALID_CHOICE)
        if isinstance(constraint, CheckConstraint):
            return _check_problem(model_admin, table, constraint)
    return None


def _named(columns: tuple[Column[Any], ...], table: Table, wanted: str) -> bool:
    keys = {column.key for column in columns}
    owners: list[Any] = [
        *(c for c in table.constraints if hasattr(c, "columns")),
        *table.indexes,
    ]
    return any(
        owner.name is not None
        and str(owner.name).lower() == wanted
        and {c.key for c in owner.columns} == keys
        for owner in owners
    )


def _sqlite_unique(model_admin: ModelAdmin, table: Table, listed: str, form: Any) -> Problem | None:
    keys = {part.strip().rsplit(".", 1)[-1] for part in listed.split(",")}
    for columns in unique_column_sets(table):
        if {column.name for column in columns} == keys:
            attributes = attribute_keys(model_admin.mapper, columns)
            if attributes is not None:
                return _unique_problem(model_admin, attributes, form)
    return None


def _unique_problem(model_admin: ModelAdmin, attributes: list[str], form: Any) -> Problem:
    message = unique_message(model_admin, attributes, form)
    if len(attributes) == 1:
        return Problem(field_name(model_admin.mapper, attributes[0]), message)
    return Problem(None, message)


def _check_problem(model_admin: ModelAdmin, table: Table, constraint: CheckConstraint) -> Problem:
    prefix = f"ck_{table.name}_"
    rule = str(constraint.name)
    rule = humanize(rule[len(prefix) :] if rule.startswith(prefix) else rule).lower()
    message = f"This value breaks the rule “{rule}”."
    columns = list(constraint.columns)  # known for type-bound checks (enums)
    if not columns:
        # A CHECK written as text: its name says which column it guards (not its SQL).
        tokens = f"_{str(constraint.name)[len(prefix) :]}_"
        columns = [column for column in table.columns if f"_{column.name}_" in tokens]
    return _on_columns(model_admin, columns, message)


def _on_columns(model_admin: ModelAdmin, columns: list[Column[Any]], message: str) -> Problem:
    if len(columns) != 1:
        return Problem(None, message)
    attributes = attribute_keys(model_admin.mapper, (columns[0],))
    if attributes is None:
        return Problem(None, message)
    return Problem(field_name(model_admin.mapper, attributes[0]), message)
