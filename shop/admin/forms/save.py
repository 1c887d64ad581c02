"""Save a valid admin form: apply its values, write the audit rows, flush, commit.

All of it is one transaction: a failed flush or commit rolls back the change and its
audit rows together and becomes a form error; "saved" is only ever said after commit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.forms.factory import STALE_MESSAGE, AdminModelForm
from shop.admin.forms.fields import humanize
from shop.admin.forms.integrity import Problem, describe

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

logger = logging.getLogger(__name__)


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
    request: HttpRequest, model_admin: ModelAdmin, form: AdminModelForm, obj: Any, *, add: bool
) -> bool:
    """Apply, audit, flush and commit; on failure roll back, put the error on the form."""
    session: Session = request.db  # type: ignore[attr-defined]
    audit = model_admin.admin_site.audit_log
    actor = request.user.get_username()
    before = audit.snapshot(obj) if audit is not None and not add else None
    if not apply_form(form, obj, add=add):
        session.rollback()
        return False
    try:
        if add:
            session.add(obj)
            session.flush()  # the new row's id, which its audit record names
            if audit is not None:
                audit.log_addition(session, actor, model_admin, obj)
        else:
            if audit is not None and before is not None:
                audit.log_change(session, actor, model_admin, obj, before=before)
            session.flush()
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        logger.info("admin save refused by the database: %s", exc.orig)
        add_problem(form, describe(model_admin, exc, form))
        return False
    except StaleDataError:
        session.rollback()
        form.add_error(None, STALE_MESSAGE)
        return False
    return True


def add_problem(form: AdminModelForm, problem: Problem) -> None:
    """Put the error on its field, or on the form (naming the field if it is not shown)."""
    if problem.field is None or problem.field in form.fields:
        form.add_error(problem.field, problem.message)
        return
    message = problem.message
    if message.startswith(("This ", "Select ")):  # the text does not say which field
        message = f"{humanize(problem.field)}: {message}"
    form.add_error(None, message)
