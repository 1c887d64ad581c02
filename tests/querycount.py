"""A statement counter on the engine's `before_cursor_execute` event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

_ACTIVE: list[list[str]] = []
_DML = ("INSERT", "UPDATE", "DELETE")


def install_counter(engine: Engine) -> None:
    # Installed once, before any connection exists: connections made earlier than an
    # engine's first listener skip engine events entirely.
    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        for log in _ACTIVE:
            log.append(statement)


class QueryCounter:
    """`with queries:` records statements; `len(queries)` and `queries.writes` read them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> QueryCounter:
        self.statements = []
        _ACTIVE.append(self.statements)
        return self

    def __exit__(self, *_exc: object) -> None:
        _ACTIVE.remove(self.statements)

    def __len__(self) -> int:
        return len(self.selects_and_writes)

    @property
    def selects_and_writes(self) -> list[str]:
        """Statements other than transaction control (BEGIN, SAVEPOINT, RELEASE)."""
        return [
            s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH", *_DML))
        ]

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(_DML)]
