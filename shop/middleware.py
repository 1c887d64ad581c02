"""One SQLAlchemy Session per request, on `request.db`, always closed.

A write request is committed only when its view succeeded, and its success response is
sent only after the commit did. Safe methods (GET, HEAD, OPTIONS) never write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.exc import StaleDataError

from shop.db import SessionFactory, new_session

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
READ_ONLY = "read_only_request"
CONFLICT_ERRORS = (IntegrityError, StaleDataError)


class ReadOnlyRequestError(RuntimeError):
    """A safe (GET/HEAD) request tried to write."""


class DbSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = new_session()
        session.info[READ_ONLY] = request.method in SAFE_METHODS
        request.db = session  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            return self._finish(request, session, response)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _finish(self, request: HttpRequest, session: Session, response: HttpResponse) -> Any:
        if session.info[READ_ONLY] or response.status_code >= 400 or response.streaming:
            session.rollback()
            return response
        try:
            session.commit()
        except Exception as exc:
            session.rollback()
            failure = failure_response(request, exc)
            if failure is None:
                raise
            return failure
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        # A database failure the view did not handle: a clear page, not a traceback.
        return failure_response(request, exc)


def failure_response(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The error page for a failed flush or commit, or None for other exceptions."""
    if isinstance(exc, CONFLICT_ERRORS):
        logger.warning("write refused by the database: %s", exc)
        return _render(request, "admin/errors/conflict.html", 409)
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        logger.error("database unavailable: %s", exc)
        return _render(request, "admin/errors/unavailable.html", 503)
    return None


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    response = TemplateResponse(request, template, {"title": "Nothing was saved"}, status=status)
    return response.render()


@event.listens_for(SessionFactory, "before_flush")
def _refuse_flush_in_safe_request(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyRequestError("a GET request must not change data")


@event.listens_for(SessionFactory, "do_orm_execute")
def _refuse_dml_in_safe_request(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlyRequestError("a GET request must not change data")
