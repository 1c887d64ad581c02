"""Streaming the rows of an export at constant memory, on a session of its own.

The request's session is rolled back and closed as soon as the view returns, before the
first byte of a streamed body is sent; so the generator opens its own Session when the
server starts reading it and closes it when the last row is sent, or when the server
closes the generator early (a client that went away). `yield_per` makes the ORM read
through a server-side cursor (psycopg's named cursor, PyMySQL's SSCursor; SQLite steps
through its result natively) and build objects one batch at a time: a batch is written
out and dropped before the next is fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from shop.admin.export.formats import Writer, row_values
from shop.admin.export.query import ExportPlan
from shop.db import new_session
from shop.middleware import READ_ONLY

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


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
        result = session.execute(plan.statement, execution_options={"yield_per": batch_size})
        try:
            for batch in result.partitions():
                count += len(batch)
                yield writer.rows(row_values(plan.fields, row, plan.labels) for row in batch)
        finally:
            result.close()
        finished = True
    finally:
        session.close()
        # Row counts only: search text and filter values may be personal data.
        logger.info("export %s: %d rows%s", name, count, "" if finished else ", stopped early")
