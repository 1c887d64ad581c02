"""Export: `/admin/<app>/<model>/export/?format=csv|jsonl&<the changelist's parameters>`.

The rows are exactly the changelist's (filters, search, ordering, get_query() row
scoping), every page of them, streamed as a download. View permission required.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from shop.admin.changelist import IncorrectLookupParameters
from shop.admin.export.formats import FORMATS
from shop.admin.export.query import FORMAT_VAR, export_plan
from shop.admin.export.stream import stream_export
from shop.admin.export.writers import writer_for
from shop.admin.urls import model_url

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

BAD_FORMAT = "Choose a format: format=csv or format=jsonl."


@require_safe
def export_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """Stream the changelist's filtered, searched and sorted rows as CSV or JSON Lines."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    name = request.GET.get(FORMAT_VAR, "")
    if name not in FORMATS:
        return _bad_request(request, model_admin, BAD_FORMAT)
    try:
        plan = export_plan(request, model_admin)
    except IncorrectLookupParameters as exc:
        return _bad_request(request, model_admin, f"Some parameters are not valid: {exc}")
    chunks = stream_export(
        plan, writer_for(name, plan.fields), name=f"{model_admin.url_prefix} as {name}"
    )
    response = StreamingHttpResponse(chunks, content_type=FORMATS[name].content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(model_admin, FORMATS[name].extension)
    )
    return response


def export_filename(model_admin: ModelAdmin, extension: str) -> str:
    """`order-20260131T235959Z.csv`: the model and when (UTC) the export was made."""
    return f"{model_admin.model_name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.{extension}"


def _bad_request(request: HttpRequest, model_admin: ModelAdmin, message: str) -> HttpResponse:
    context = {
        "title": "Cannot export",
        "message": message,
        "changelist_url": model_url(model_admin, "changelist"),
        "verbose_name_plural": model_admin.verbose_name_plural,
    }
    return TemplateResponse(request, "admin/errors/bad_export.html", context, status=400)
