"""Export of a changelist's rows (CSV, JSON Lines), streamed at constant memory."""

from __future__ import annotations

from shop.admin.export.formats import CSV, FORMATS, JSONL, neutralize_formula
from shop.admin.export.query import ExportPlan, export_plan
from shop.admin.export.stream import stream_export
from shop.admin.export.writers import writer_for

__all__ = [
    "CSV",
    "FORMATS",
    "JSONL",
    "ExportPlan",
    "export_plan",
    "neutralize_formula",
    "stream_export",
    "writer_for",
]
