"""Fetching the next batch of an export's rows while the current one is written.

Through psycopg's named cursor the server computes a batch only when it is asked for it
(FETCH), and the client waits meanwhile; then the server waits while the client writes.
A reader thread asks for batch n + 1 while the request's thread writes batch n, so both
work at once. The reader touches nothing but the result it iterates, and it has stopped
before the caller closes that result or its session (both are used by one thread at a
time). One batch waits in between, so memory stays at three batches.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Sequence
from typing import Any

# How often a reader blocked on a full queue looks whether the writer has stopped.
STOP_POLL_SECONDS = 0.05
_DONE = object()


def _offer(batches: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put `item` for the writer unless it stops first; False if it did."""
    while not stop.is_set():
        try:
            batches.put(item, timeout=STOP_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False


def _read(result: Any, batches: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        for batch in result.partitions():
            if not _offer(batches, batch, stop):
                return
        _offer(batches, _DONE, stop)
    except BaseException as exc:  # handed to the writer, which raises it
        _offer(batches, exc, stop)


def read_ahead(result: Any) -> Generator[Sequence[Any], None, None]:
    """The batches of `result.partitions()`, each fetched while the previous is used."""
    batches: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    reader = threading.Thread(
        target=_read, args=(result, batches, stop), name="export-reader", daemon=True
    )
    reader.start()
    try:
        while (item := batches.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
