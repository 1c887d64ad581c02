"""Save an inline's rows inside the parent's transaction: deletions, changes, then additions.

Deletions go first so that a new row may take over a deleted row's unique values. Each
row is flushed on its own, so that a refusal by the database (a UNIQUE pair, a CHECK)
lands on the row that caused it; the caller then rolls everything back, parent included.
Every row writes its audit record in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.admin.audit import AuditLog
from shop.admin.forms.integrity import describe
from shop.admin.forms.save import add_problem, apply_form

if TYPE_CHECKING:
    from shop.admin.inlines.formsets import InlineFormSet
    from shop.admin.inlines.options import InlineModelAdmin

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowSave:
    request: HttpRequest
    inline: InlineModelAdmin
    parent: Any
    session: Session
    audit: AuditLog | None
    actor: str


def save_rows(request: HttpRequest, formset: InlineFormSet, parent: Any) -> bool:
    """Write every deleted, changed and added row; False (rolled back) on the first refusal."""
    inline = formset.inline
    context = RowSave(
        request=request,
        inline=inline,
        parent=parent,
        session=request.db,  # type: ignore[attr-defined]
        audit=inline.admin_site.audit_log,
        actor=request.user.get_username(),
    )
    # Decided before anything is written: what each posted row asks for.
    plan = [
        *((_delete, form) for form in formset.rows("delete")),
        *((_change, form) for form in formset.rows("change")),
        *((_add, form) for form in formset.rows("add")),
    ]
    return all(step(context, form) for step, form in plan)


def _delete(context: RowSave, form: Any) -> bool:
    child = form.instance

    def write() -> None:
        if context.audit is not None:
            context.audit.log_deletion(context.session, context.actor, context.inline, child)
        context.session.delete(child)
        context.session.flush()

    return _written(context, form, write)


def _change(context: RowSave, form: Any) -> bool:
    child = form.instance
    before = context.audit.snapshot(child) if context.audit is not None else None
    if not apply_form(form, child, add=False) or not _prepared(context, form, add=False):
        context.session.rollback()
        return False

    def write() -> None:
        if context.audit is not None and before is not None:
            context.audit.log_change(
                context.session, context.actor, context.inline, child, before=before
            )
        context.session.flush()

    return _written(context, form, write)


def _add(context: RowSave, form: Any) -> bool:
    child = form.instance
    if not apply_form(form, child, add=True):
        context.session.rollback()
        return False
    with context.session.no_autoflush:
        _attach(context, child)  # not in the session yet: nothing may flush before add()
    if not _prepared(context, form, add=True):
        context.session.rollback()
        return False

    def write() -> None:
        context.session.add(child)
        context.session.flush()  # the row's id, which its audit record names
        if context.audit is not None:
            context.audit.log_addition(context.session, context.actor, context.inline, child)

    return _written(context, form, write)


def _attach(context: RowSave, child: Any) -> None:
    relation = context.inline.relation
    if relation.parent_field is not None:
        setattr(child, relation.parent_field, context.parent)
        return
    for name, value in (relation.key_values(context.parent) or {}).items():
        setattr(child, name, value)


def _prepared(context: RowSave, form: Any, *, add: bool) -> bool:
    """The inline's prepare_child hook; a ValueError from the model becomes a row error.

    No autoflush meanwhile: the row is not complete until the hook has run.
    """
    try:
        with context.session.no_autoflush:
            context.inline.prepare_child(context.request, context.parent, form.instance, add=add)
    except ValueError as exc:
        form.add_error(None, str(exc))
        return False
    return True


def _written(context: RowSave, form: Any, write: Callable[[], None]) -> bool:
    try:
        write()
    except IntegrityError as exc:
        context.session.rollback()
        logger.info("inline row refused by the database: %s", exc.orig)
        add_problem(form, describe(context.inline, exc, form))
        return False
    return True
