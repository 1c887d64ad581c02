"""`Server-Timing` on every response: where a slow page spends its time, in the browser.

    Server-Timing: db;dur=4.1;desc="6 statements", app;dur=23.7

`db` is the time spent in SQL statements, SQLAlchemy's and Django's (sessions, auth), and
how many ran; `app` is the whole request in this process. Browsers show both in their
developer tools (Network -> Timing). A streamed body (an export) is timed up to its
first byte, as the header leaves with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "Server-Timing"


@dataclass
class RequestTiming:
    statements: int = 0
    sql_seconds: float = 0.0

    def add(self, seconds: float) -> None:
        self.statements += 1
        self.sql_seconds += seconds

    def header(self, total_seconds: float) -> str:
        plural = "" if self.statements == 1 else "s"
        return (
            f'db;dur={self.sql_seconds * 1000:.1f};desc="{self.statements} statement{plural}", '
            f"app;dur={total_seconds * 1000:.1f}"
        )


_current: ContextVar[RequestTiming | None] = ContextVar("request_timing", default=None)
_STARTED = "_server_timing_started"


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn: Any, *_args: Any) -> None:
    if _current.get() is not None:
        conn.info[_STARTED] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn: Any, *_args: Any) -> None:
    timing = _current.get()
    started = conn.info.pop(_STARTED, None)
    if timing is not None and started is not None:
        timing.add(time.perf_counter() - started)


def _django_wrapper(timing: RequestTiming) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timing.add(time.perf_counter() - started)

    return wrapper


class ServerTimingMiddleware:
    """Outermost, so `app` covers every other middleware too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timing = RequestTiming()
        token = _current.set(timing)
        started = time.perf_counter()
        try:
            with connections["default"].execute_wrapper(_django_wrapper(timing)):
                response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = timing.header(time.perf_counter() - started)
        return response
