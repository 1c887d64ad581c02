"""What the commerce actions share when they run the shop's workflows from the admin.

The workflows (shop.services.commerce) write inside their own savepoints and leave the
commit to the caller; the admin's action runner commits once the action returns. Two
things remain for the actions: starting their writes in a transaction that can take
the database's locks, and turning a concurrent change into a message, never an error page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.actions import ActionFailed
from shop.admin.actions.selection import STALE_ROW, safe_label
from shop.admin.forms.save import is_write_conflict


def end_read_before_first_write(session: Session) -> None:
    """On SQLite, end the read-only transaction that loaded the rows an action works on.

    In WAL mode a transaction that has read cannot start writing once another connection
    committed after its first read (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not
    wait for). The workflows begin with a write that takes the database's write lock and
    so queue behind a concurrent checkout; that only works from a fresh transaction.
    Call it before the action's first write only: nothing has been written yet, so the
    commit writes nothing, and the loaded objects stay usable (no expiry on commit).
    PostgreSQL and MariaDB lock rows instead and keep the transaction as it is.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.commit()


@contextmanager
def refused_as_stale(row: Any) -> Iterator[None]:
    """A version check that failed while writing `row` becomes ActionFailed naming it.

    The action runner then rolls the whole transaction back and shows the message. A lost
    connection is not a conflict: it goes on to the error page.
    """
    try:
        yield
    except (StaleDataError, OperationalError) as exc:
        if not is_write_conflict(exc):
            raise
        raise ActionFailed(STALE_ROW.format(row=safe_label(row))) from None


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 order`, `2 orders`."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"
