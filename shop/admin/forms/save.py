"""Save a valid admin form: apply its values, write the audit rows, flush, commit.

All of it is one transaction: a failed flush or commit rolls back the change and its
audit rows together and becomes a form error; "saved" is only ever said after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.http import HttpRequest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.audit import ADDITION, CHANGE, AuditLog, Snapshot, diff
from shop.admin.forms.factory import STALE_MESSAGE, AdminModelForm
from shop.admin.forms.fields import humanize
from shop.admin.forms.integrity import Problem, describe

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

logger = logging.getLogger(__name__)
SQLITE_BUSY_SNAPSHOT = 517  # SQLite: another connection wrote since this transaction read


class RelatedRows(Protocol):
    """Rows saved with the object in its transaction (an inline's formset)."""

    def has_changes(self) -> bool: ...

    def save(self, request: HttpRequest, parent: Any) -> bool: ...


def apply_form(form: AdminModelForm, obj: Any, *, add: bool) -> bool:
    """Set the form's values on `obj` (all on add, the changed ones on change).

    A model validator that refuses a value (`@validates` raising ValueError) becomes
    an error on that field. Returns False if any value was refused.
    """
    names = [name for name in form.sources if name in form.cleaned_data]
    if not add:
        names = [name for name in names if name in form.changed_data]
    ok = True
    for name in names:
        source = form.sources[name]
        try:
            setattr(obj, source.attribute, form.cleaned_data[name])
        except ValueError as exc:
            form.add_error(name, str(exc))
            ok = False
            continue
        state = sa_inspect(obj)
        if source.relationship is not None and state.persistent:
            # The FK column changed: a loaded related object would now be stale.
            state.session.expire(obj, [source.relationship.key])  # type: ignore[union-attr]
    return ok


def save_object(
    request: HttpRequest,
    model_admin: ModelAdmin,
    form: AdminModelForm,
    obj: Any,
    *,
    add: bool,
    inlines: Sequence[RelatedRows] = (),
) -> bool:
    """Apply, audit, flush and commit; on failure roll back, put the error on the form.

    `inlines` are written after the object, in the same transaction: a refused row
    rolls back the object too.
    """
    session: Session = request.db  # type: ignore[attr-defined]
    audit = model_admin.admin_site.audit_log
    actor = request.user.get_username()
    before = audit.snapshot(obj) if audit is not None and not add else None
    if not apply_form(form, obj, add=add):
        session.rollback()
        return False
    if not add and any(rows.has_changes() for rows in inlines):
        # Its rows are part of it: a concurrent editor must conflict, updated_at must move.
        touch_parent(obj)
    try:
        model_admin.save_model(request, obj, form, change=not add)
        if add:
            session.flush()  # the new row's id, which its audit record names
        # What the form edits beyond the object's columns (ModelAdmin.save_related).
        related = model_admin.save_related(request, form, obj, change=not add)
        if audit is not None:
            _log(session, audit, actor, model_admin, obj, before, related)
        session.flush()
        if not all(rows.save(request, obj) for rows in inlines):
            session.rollback()
            return False
        session.commit()
    except (IntegrityError, StaleDataError, OperationalError) as exc:
        return _refused(session, model_admin, form, exc)
    return True


def _refused(
    session: Session, model_admin: ModelAdmin, form: AdminModelForm, exc: Exception
) -> bool:
    """Roll back and explain: a conflict with another save, or a database rule broken."""
    if isinstance(exc, OperationalError) and not is_write_conflict(exc):
        raise exc  # a lost connection: the middleware's error page
    session.rollback()
    if isinstance(exc, IntegrityError):
        logger.info("admin save refused by the database: %s", exc.orig)
        add_problem(form, describe(model_admin, exc, form))
    else:
        form.add_error(None, forms.ValidationError(STALE_MESSAGE, code="stale"))
    return False


def is_write_conflict(exc: Exception) -> bool:
    """A newer version was written meanwhile (version check, or SQLite's stale snapshot)."""
    if isinstance(exc, StaleDataError):
        return True
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


def touch_parent(obj: Any) -> None:
    """Make the next flush UPDATE `obj` though none of its columns changed.

    Its version moves (a concurrent editor of the object conflicts) and its `onupdate`
    stamps fire (a cart's updated_at). A model with neither is left alone: the UPDATE
    would change nothing.
    """
    state = sa_inspect(obj)
    mapper = state.mapper
    session = state.session
    stamped = any(column.onupdate is not None for column in mapper.columns)
    if mapper.version_id_col is None and not stamped:
        return
    if session is not None and session.is_modified(obj):
        return
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        plain = (
            column is not mapper.version_id_col
            and not column.primary_key
            and column.onupdate is None  # an explicit value would stop its onupdate
        )
        if plain and prop.key in state.dict:
            flag_modified(obj, prop.key)  # rewrites the same value
            return


def _log(
    session: Session,
    audit: AuditLog,
    actor: str,
    model_admin: ModelAdmin,
    obj: Any,
    before: Snapshot | None,
    related: list[tuple[str, str | None, str | None]],
) -> None:
    """The object's audit record: its column values (added) or changes, plus `related`."""
    changes: list[tuple[str, str | None, str | None]]
    if before is None:
        changes = [(field, None, new) for field, new in audit.snapshot(obj).items() if new]
        action = ADDITION
    else:
        changes = diff(before, audit.snapshot(obj))
        action = CHANGE
    changes += related
    if changes or action == ADDITION:
        audit.log(
            session, actor=actor, action=action, model_admin=model_admin, obj=obj, changes=changes
        )


def add_problem(form: AdminModelForm, problem: Problem) -> None:
    """Put the error on its field, or on the form (naming the field if it is not shown)."""
    if problem.field is None or problem.field in form.fields:
        form.add_error(problem.field, problem.message)
        return
    message = problem.message
    if message.startswith(("This ", "Select ")):  # the text does not say which field
        message = f"{humanize(problem.field)}: {message}"
    form.add_error(None, message)
