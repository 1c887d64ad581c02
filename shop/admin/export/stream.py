"""Streaming the rows of an export at constant memory, on a session of its own.

The request's session is rolled back and closed as soon as the view returns, before the
first byte of a streamed body is sent; so the generator opens its own Session when the
server starts reading it and closes it when the last row is sent, or when the server
closes the generator early (a client that went away). `yield_per` reads through a
server-side cursor (psycopg's named cursor, PyMySQL's SSCursor; SQLite steps through its
result natively) one batch at a time: a batch is written out and dropped before the next
is fetched. Plain values are read as rows of the connection, on PostgreSQL one batch
ahead (shop.admin.export.readahead); entity rows through the ORM, in this thread (a
display method may use the session).
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shop.admin.export.formats import cell_values
from shop.admin.export.query import ExportPlan
from shop.admin.export.readahead import read_ahead
from shop.admin.export.writers import Writer
from shop.db import new_session
from shop.middleware import READ_ONLY

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Where each batch is a round trip the client waits for (a named cursor's FETCH).
READ_AHEAD_DIALECTS = frozenset({"postgresql"})
# An export is one long read in a transaction of its own. Room for its joins' caches (a
# Memoize over the users of 1M orders evicts at the default 4 MB), and no JIT: the plan
# is row-by-row lookups, and compiling it only delays the first row. SET LOCAL ends with
# the transaction, so the pooled connection keeps the server's settings.
SESSION_SETTINGS = {
    "postgresql": ("SET LOCAL work_mem = '16MB'", "SET LOCAL jit = off"),
}
Batches = Generator[Sequence[Any], None, None]


def _execute(session: Session, plan: ExportPlan, batch_size: int) -> Any:
    connection = session.connection()
    for setting in SESSION_SETTINGS.get(connection.dialect.name, ()):
        connection.exec_driver_sql(setting)
    options = {"yield_per": batch_size}
    if plan.values:
        return connection.execute(plan.statement, execution_options=options)
    return session.execute(plan.statement, execution_options=options)


def _batches(session: Session, plan: ExportPlan, result: Any) -> Batches:
    if plan.values and session.get_bind().dialect.name in READ_AHEAD_DIALECTS:
        return read_ahead(result)
    return result.partitions()  # type: ignore[no-any-return]


def _values(plan: ExportPlan, batch: Sequence[Any]) -> Iterable[Sequence[Any]]:
    if plan.values:
        return batch
    return (cell_values(plan.fields, row, plan.labels) for row in batch)


def stream_export(
    plan: ExportPlan, writer: Writer, *, name: str, batch_size: int = BATCH_SIZE
) -> Iterator[str]:
    """The export as text chunks: the header, then one chunk per batch of rows."""
    header = writer.header()
    if header:
        yield header
    session = new_session()
    session.info[READ_ONLY] = True  # an export reads; any write attempt fails loudly
    count, finished = 0, False
    try:
        result = _execute(session, plan, batch_size)
        batches = _batches(session, plan, result)
        try:
            for batch in batches:
                count += len(batch)
                yield writer.rows(_values(plan, batch))
        finally:
            batches.close()  # a reader has stopped: the result is this thread's again
            result.close()
        finished = True
    finally:
        session.close()
        # Row counts only: search text and filter values may be personal data.
        logger.info("export %s: %d rows%s", name, count, "" if finished else ", stopped early")
