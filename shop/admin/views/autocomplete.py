"""`/admin/autocomplete/`: paged JSON of a related model's rows, for choosers and filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from shop.admin.autocomplete import parse_page, resolve_source, search_page

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite


def autocomplete_view(site: AdminSite) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        """Django's AutocompleteJsonView answer: results, and whether another page follows."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        found = resolve_source(site, request)
        page = parse_page(request.GET.get("page"))
        term = request.GET.get("term", "")
        rows, more = search_page(request.db, request, found, term, page)  # type: ignore[attr-defined]
        mapper = found.remote.mapper
        results = [
            {"id": str(mapper.primary_key_from_instance(row)[0]), "text": str(row)} for row in rows
        ]
        return JsonResponse({"results": results, "pagination": {"more": more}})

    return view
