"""Probe views that exercise the per-request session through the real middleware."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from shop.models import User


@csrf_exempt
def write_then_raise(request: HttpRequest) -> HttpResponse:
    request.db.add(User(username="ghost", email="ghost@example.com"))  # type: ignore[attr-defined]
    request.db.flush()  # type: ignore[attr-defined]
    raise RuntimeError("the view failed after writing")


@csrf_exempt
def write_duplicate_without_flush(request: HttpRequest) -> HttpResponse:
    # The unique violation only surfaces when the middleware commits.
    request.db.add(User(username="taken", email="other@example.com"))  # type: ignore[attr-defined]
    return HttpResponse("saved")


@csrf_exempt
def write_ok(request: HttpRequest) -> HttpResponse:
    request.db.add(User(username="fresh", email="fresh@example.com"))  # type: ignore[attr-defined]
    return HttpResponse("saved")


def read_users(request: HttpRequest) -> HttpResponse:
    count = request.db.scalar(select(func.count()).select_from(User))  # type: ignore[attr-defined]
    return HttpResponse(f"{count} users")


def write_on_get(request: HttpRequest) -> HttpResponse:
    request.db.add(User(username="sneaky", email="sneaky@example.com"))  # type: ignore[attr-defined]
    request.db.flush()  # type: ignore[attr-defined]
    return HttpResponse("wrote on GET")


urlpatterns = [
    # The real admin too: error pages link back to it.
    path("", include("project.urls")),
    path("write-then-raise/", write_then_raise),
    path("write-duplicate/", write_duplicate_without_flush),
    path("write-ok/", write_ok),
    path("read/", read_users),
    path("write-on-get/", write_on_get),
]


def database_lost(request: HttpRequest) -> HttpResponse:
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


urlpatterns.append(path("database-lost/", database_lost))
