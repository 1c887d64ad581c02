"""Writing an action's changes: row by row, each audited, all in one transaction.

Every change, addition or deletion is flushed with its audit rows as it is made, so a
refusal by the database (a stale version, a constraint) names the row it concerns; the
transaction is then rolled back whole and the action fails with a message, never a 500.
Nothing is committed until every row went through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import raiseload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import ORMOption

from shop.admin.actions.base import ActionFailed
from shop.admin.actions.selection import STALE_ROW, Selection, safe_label
from shop.admin.audit import Snapshot, as_text, diff
from shop.admin.forms.fields import humanize
from shop.admin.forms.integrity import describe
from shop.admin.forms.save import is_write_conflict

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

logger = logging.getLogger(__name__)

REFUSED = "The database refused to {verb} “{row}”{detail}. Nothing was changed."
REFUSED_DELETE = (
    "Nothing was deleted: the database refused to delete “{row}” because related objects "
    "were added or it was changed in the meantime. Reload the list and try again."
)
INVALID = "“{row}”: {error} Nothing was changed."


def snapshot(obj: Any) -> Snapshot:
    """Every column attribute as text (what the audit trail compares)."""
    mapper = sa_inspect(obj).mapper
    return {prop.key: as_text(getattr(obj, prop.key)) for prop in mapper.column_attrs}


class ActionWriter:
    """Makes an action's writes in the request's session, with audit rows beside each."""

    def __init__(self, request: HttpRequest, model_admin: ModelAdmin) -> None:
        self.model_admin = model_admin
        self.session = request.db  # type: ignore[attr-defined]
        self.audit = model_admin.admin_site.audit_log
        self.actor = request.user.get_username()
        self.changed = self.added = self.deleted = 0
        # The row being written (label, its ModelAdmin, the verb), to name it on a refusal.
        self._current: tuple[str, ModelAdmin, str] | None = None

    def change(self, obj: Any, apply: Callable[[Any], None]) -> bool:
        """Apply `apply` to `obj`, audit the fields that differ, flush; True if any did."""
        self._current = (safe_label(obj), self.model_admin, "change")
        before = snapshot(obj)
        try:
            apply(obj)
        except ValueError as exc:  # a model validator refused the value
            raise ActionFailed(INVALID.format(row=self._current[0], error=exc)) from exc
        if not diff(before, snapshot(obj)):
            return False
        if self.audit is not None:
            self.audit.log_change(self.session, self.actor, self.model_admin, obj, before)
        self.session.flush()
        self.changed += 1
        return True

    def add(self, obj: Any, model_admin: ModelAdmin) -> None:
        """Insert `obj` (of `model_admin`'s model) and audit it as an addition."""
        self._current = (safe_label(obj), model_admin, "add")
        self.session.add(obj)
        self.session.flush()  # the new row's id, which its audit record names
        self._current = (safe_label(obj), model_admin, "add")
        if self.audit is not None:
            self.audit.log_addition(self.session, self.actor, model_admin, obj)
        self.added += 1

    def delete(self, obj: Any) -> None:
        """Audit `obj` as a deletion (its last values), delete it and flush."""
        self._current = (safe_label(obj), self.model_admin, "delete")
        if self.audit is not None:
            self.audit.log_deletion(self.session, self.actor, self.model_admin, obj)
        self.session.delete(obj)
        self.session.flush()
        self.deleted += 1

    @contextmanager
    def atomic(self) -> Iterator[ActionWriter]:
        """Commit what the block wrote; on any refusal roll it all back, ActionFailed."""
        try:
            yield self
            self.session.commit()
        except ActionFailed:
            self.session.rollback()
            raise
        except (StaleDataError, OperationalError) as exc:
            self.session.rollback()
            if not is_write_conflict(exc):
                raise  # a lost connection: the middleware's error page
            raise ActionFailed(STALE_ROW.format(row=self._row())) from None
        except IntegrityError as exc:
            self.session.rollback()
            logger.info("admin action refused by the database: %s", exc.orig)
            raise ActionFailed(self._refusal(exc)) from None

    def _row(self) -> str:
        return self._current[0] if self._current else "a selected row"

    def _refusal(self, exc: IntegrityError) -> str:
        if self._current is None:
            return REFUSED.format(verb="change", row=self._row(), detail="")
        label, model_admin, verb = self._current
        if verb == "delete":
            return REFUSED_DELETE.format(row=label)
        problem = describe(model_admin, exc)
        field = f"{humanize(problem.field)}: " if problem.field else ""
        detail = f" ({field}{problem.message.rstrip('.')})"
        return REFUSED.format(verb=verb, row=label, detail=detail)


def change_selected(
    request: HttpRequest,
    model_admin: ModelAdmin,
    selection: Selection,
    apply: Callable[[Any], None],
    *,
    options: Sequence[ORMOption] = (raiseload("*"),),
) -> int:
    """Apply `apply` to every selected row, audited, in one transaction; rows changed.

    The rows are loaded a batch at a time. A row at another version than the one the user
    saw, changed between its load and its write (version_id_col), or refused by the
    database fails the whole action: ActionFailed, and nothing is saved. `options` are
    loader options for the rows (add selectinload() for what `apply` reads).
    """
    writer = ActionWriter(request, model_admin)
    with writer.atomic():
        found = 0
        for batch in selection.batches(options=options):
            for obj in batch:
                found += 1
                selection.check_seen(obj)
                writer.change(obj, apply)
        selection.check_complete(found)
    return writer.changed
